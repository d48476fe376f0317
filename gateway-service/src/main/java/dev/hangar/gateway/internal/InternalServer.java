package dev.hangar.gateway.internal;

import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.kit.tls.HangarTls;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's second, internal HTTP listener ({@code hangar.gateway.internal-host}:{@code
 * internal-port}, loopback by default): it serves the very same application router as the public
 * port, so every JAX-RS resource under {@code /internal/} works here unchanged, while
 * {@link PortFilter} answers 404 for {@code /internal/**} on the public port and lets nothing but
 * {@code /internal/**} (with the internal token) through here. A new internal endpoint is one
 * ordinary JAX-RS resource class with {@code @Path("/internal/...")}.
 */
@ApplicationScoped
public class InternalServer {
    private final Vertx vertx;
    private final GatewayConfig config;
    private final HangarTls tls;
    private volatile Router router;
    private volatile HttpServer server;

    public InternalServer(Vertx vertx, GatewayConfig config, HangarTls tls) {
        this.vertx = vertx;
        this.config = config;
        this.tls = tls;
    }

    /** Quarkus hands every observer the application router once its routes are in place. */
    void router(@Observes Router router) {
        this.router = router;
    }

    void onStart(@Observes StartupEvent start) throws Exception {
        // HTTPS with the public port's certificate when TLS is on (docs/tls.md): executors on other hosts reach it
        var options = tls.secure(new HttpServerOptions().setHost(config.internalHost()).setPort(config.internalPort()));
        Router app = router;
        server = vertx.createHttpServer(options).requestHandler(request -> app.handle(request))
                .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (server != null) {
            server.close();
        }
    }

    /** The port it listens on (the configured one, or the one the OS chose for port 0); -1 before start. */
    public int port() {
        return server == null ? -1 : server.actualPort();
    }
}
