package dev.hangar.gateway.tracing;

import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Requests about one run ({@code /v1/runs/{id}...}) carry its execution id in their logs and span. */
public class RunPathFilter {

    @ServerRequestFilter
    public void tagRun(ContainerRequestContext request) {
        var segments = request.getUriInfo().getPathSegments();
        if (segments.size() >= 3 && segments.get(0).getPath().equals("v1") && segments.get(1).getPath().equals("runs")
                && !segments.get(2).getPath().isEmpty()) {
            RunContext.tag(segments.get(2).getPath());
        }
    }
}
