package dev.hangar.cli.cog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * {@code hangar serve}'s {@code /docs}: Swagger UI (the {@code org.webjars:swagger-ui} jar the CLI
 * carries) over {@code /openapi.json}, every asset answered by the CLI under {@code /docs/}, so the
 * page works with no network and loads nothing from outside this host. The page and its
 * initializer are the CLI's own (absolute paths, the schema URL); the rest is the webjar's.
 */
public final class SwaggerUi {
    /** The webjar's assets the page loads, by their name under {@code /docs/}. */
    static final Map<String, String> ASSETS = Map.of("swagger-ui.css", "text/css; charset=utf-8",
            "index.css", "text/css; charset=utf-8", "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8", "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");

    private SwaggerUi() {}

    /** The pages for the forwarder: {@code /docs}, its initializer and the webjar's assets. */
    public static Map<String, Forwarder.Page> pages() {
        Map<String, Forwarder.Page> pages = new LinkedHashMap<>();
        pages.put("/docs", new Forwarder.Page("text/html; charset=utf-8", read("/dev/hangar/cli/cog/docs/index.html")));
        pages.put("/docs/swagger-initializer.js", new Forwarder.Page("text/javascript; charset=utf-8",
                read("/dev/hangar/cli/cog/docs/swagger-initializer.js")));
        String root = "/META-INF/resources/webjars/swagger-ui/" + version() + "/";
        ASSETS.forEach((name, type) -> pages.put("/docs/" + name, new Forwarder.Page(type, read(root + name))));
        return pages;
    }

    /** The webjar's version, from its own Maven properties: the dependency's version is set once, in the pom. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = SwaggerUi.class.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the swagger-ui webjar is not on the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    private static byte[] read(String resource) {
        try (InputStream in = SwaggerUi.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
