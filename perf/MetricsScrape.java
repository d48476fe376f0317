import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a Prometheus scrape of {@code /q/metrics} costs a service, against {@code /q/health/live}
 * of the same service in the same run (the cheapest endpoint it has: same HTTP stack, no work).
 * Sequential requests on one connection, after a warm-up. JDK only:
 * {@code java perf/MetricsScrape.java N URL...}; prints one line per service.
 */
public class MetricsScrape {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        System.out.println("| service | metrics p50 / p99 | size | health p50 / p99 | ratio p50 / p99 |");
        System.out.println("|---|---|---|---|---|");
        for (int i = 1; i < args.length; i++) {
            String base = args[i];
            time(http, base + "/q/metrics", 20);
            time(http, base + "/q/health/live", 20);
            List<Double> metrics = time(http, base + "/q/metrics", n);
            List<Double> health = time(http, base + "/q/health/live", n);
            int size = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body().length;
            System.out.printf("| %s | %.2f / %.2f ms | %d KiB | %.2f / %.2f ms | **%.1f× / %.1f×** |%n", base,
                    pct(metrics, 50), pct(metrics, 99), size / 1024, pct(health, 50), pct(health, 99),
                    pct(metrics, 50) / pct(health, 50), pct(metrics, 99) / pct(health, 99));
        }
    }

    static List<Double> time(HttpClient http, String url, int n) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url)).GET().build();
        var ms = new ArrayList<Double>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            var response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + response.statusCode());
            }
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(ms);
        return ms;
    }

    static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * p / 100.0) - 1));
    }
}
