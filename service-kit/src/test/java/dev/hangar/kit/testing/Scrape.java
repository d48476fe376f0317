package dev.hangar.kit.testing;

import static io.restassured.RestAssured.given;

/** Reads one sample from a service's {@code /q/metrics} as Prometheus prints it (the services' tests share it). */
public final class Scrape {
    private Scrape() {}

    public static String metrics() {
        return given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the sample whose name and labels start with {@code series} (e.g. {@code x_total{a="b"}}); 0 when absent. */
    public static double value(String series) {
        return value(metrics(), series);
    }

    public static double value(String text, String series) {
        String open = series.endsWith("}") ? series.substring(0, series.length() - 1) : series;
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            String name = line.substring(0, line.lastIndexOf(' '));
            boolean matches = series.contains("{") ? name.startsWith(open) : name.equals(series) || name.startsWith(series + "{");
            if (matches) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
