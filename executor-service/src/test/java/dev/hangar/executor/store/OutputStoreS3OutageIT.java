package dev.hangar.executor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.OutputIndex;
import dev.hangar.executor.config.UploadConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * S3 down during upload (docs/delivery.md), against a private S3Proxy process of this test that
 * is stopped and started again: each put is retried with backoff; past the attempts the run's
 * upload fails with ERR_UPLOAD_FAILED naming bucket and endpoint, and no outputs.json exists.
 */
class OutputStoreS3OutageIT {
    static final Path JAR = Path.of(System.getProperty("user.home"),
            ".m2/repository/org/gaul/s3proxy/4.1.0/s3proxy-4.1.0-jar-with-dependencies.jar");
    static final String BUCKET = "retry-it-outage";
    static final String PREFIX = "/artifacts/retry-it/outage-0001/";

    @TempDir
    Path dir;
    private int port;
    private Process proxy;
    private S3Client s3;

    @BeforeEach
    void startProxy() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing (bin/stack fetches it)");
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(dir.resolve("objects"));
        Files.writeString(dir.resolve("s3proxy.conf"), """
                s3proxy.endpoint=http://127.0.0.1:%d
                s3proxy.authorization=aws-v2-or-v4
                s3proxy.identity=outage-key
                s3proxy.credential=outage-secret
                jclouds.provider=filesystem
                jclouds.filesystem.basedir=%s
                """.formatted(port, dir.resolve("objects")));
        start();
        s3 = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("outage-key", "outage-secret")))
                .build();
        s3.createBucket(b -> b.bucket(BUCKET));
        Files.createDirectories(dir.resolve("outputs"));
        Files.writeString(dir.resolve("outputs/a.txt"), "first");
        Files.writeString(dir.resolve("outputs/b.txt"), "second");
    }

    @AfterEach
    void stopProxy() throws Exception {
        stop();
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void s3DownThroughoutIsRetriedThenErrUploadFailedAndNoIndexIsWritten() throws Exception {
        var store = new OutputStore(s3, () -> BUCKET, upload(3, Duration.ofMillis(200)));
        stop();

        long started = System.nanoTime();
        var e = assertThrows(HangarException.class, () -> store.upload(dir.resolve("outputs"), PREFIX, "outage-0001", ref -> { }));
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertEquals(ErrorCode.ERR_UPLOAD_FAILED, e.code());
        assertTrue(e.getMessage().contains("in bucket " + BUCKET + " at http://127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("(3 attempt(s))"), e.getMessage());
        assertTrue(tookMs >= 600, "paused 200 ms then 400 ms between the three attempts, took " + tookMs + " ms");
        start();
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket(BUCKET)
                .key(ArtifactPath.toKey(OutputIndex.pathUnder(PREFIX)))), "nothing presents the half-stored outputs as a result");
    }

    @Test
    void s3BackWithinTheRetriesCompletesTheUploadWithTheIndexLast() throws Exception {
        var store = new OutputStore(s3, () -> BUCKET, upload(8, Duration.ofMillis(300)));
        stop();
        var restart = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(1500);
                start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        var outputs = store.upload(dir.resolve("outputs"), PREFIX, "outage-0001", ref -> { });
        restart.join();

        assertEquals(List.of(PREFIX + "a.txt", PREFIX + "b.txt"), outputs.stream().map(o -> o.path()).toList());
        for (String path : List.of(PREFIX + "a.txt", PREFIX + "b.txt", OutputIndex.pathUnder(PREFIX))) {
            s3.headObject(b -> b.bucket(BUCKET).key(ArtifactPath.toKey(path)));
        }
    }

    private static UploadConfig upload(int attempts, Duration backoff) {
        return new UploadConfig() {
            @Override
            public int attempts() {
                return attempts;
            }

            @Override
            public Duration backoff() {
                return backoff;
            }
        };
    }

    private synchronized void start() throws Exception {
        proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:+UseSerialGC", "-jar", JAR.toString(), "--properties", dir.resolve("s3proxy.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            try (var probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("S3Proxy did not listen on " + port + ": " + Files.readString(dir.resolve("s3proxy.log")));
    }

    private synchronized void stop() throws InterruptedException {
        if (proxy != null && proxy.isAlive()) {
            proxy.destroyForcibly();
            proxy.waitFor();
        }
    }
}
