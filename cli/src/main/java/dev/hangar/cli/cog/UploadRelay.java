package dev.hangar.cli.cog;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code hangar serve --upload-url URL}: the container has no network, so its runtime hands each
 * file output to this relay (a unix socket, {@value #SOCKET}, in the run folder; the runtime's
 * {@code HANGAR_UPLOAD_SOCKET}) and the CLI PUTs it to {@code URL/<file name>} as Cog does, with
 * its content type and {@code X-Prediction-ID}. A 307/308 is followed once, on the same host only
 * (as fetches are, see {@link UrlFetcher}); the answer's {@code Location} (else the URL without
 * its query) is the output. The URL never enters the container.
 */
public final class UploadRelay extends SocketRelay {
    public static final String SOCKET = "upload.sock";
    private static final long MAX_BYTES = 4L * 1024 * 1024 * 1024;

    private final URI base;

    private UploadRelay(Path folder, URI base, Duration timeout) throws IOException {
        super(folder, SOCKET, timeout);
        this.base = base;
    }

    /** Binds {@code folder/upload.sock} (writable by the container's user) for uploads to {@code url}. */
    public static UploadRelay open(Path folder, String url, Duration timeout) throws IOException {
        return new UploadRelay(folder, URI.create(url), timeout);
    }

    @Override
    void handle(Forwarder.Head request, InputStream in, OutputStream out) throws IOException {
        String[] line = request.first().split(" ");
        String name = line[0].equals("PUT") && line.length > 1 && line[1].startsWith("/") ? fileName(line[1].substring(1)) : null;
        long length = parseLength(request.value("content-length"));
        if (name == null) {
            if (length > 0 && length <= 1024 * 1024) {
                copy(in, OutputStream.nullOutputStream(), length); // read, so the refusal is not lost to a reset
            }
            reply(out, 400, null, "the upload relay takes PUT /<file name>: one path segment, no '..', no '/' even "
                    + "percent-encoded");
            return;
        }
        if (length < 0 || length > MAX_BYTES) {
            reply(out, 413, null, "an output for upload must have a Content-Length of 0 to " + MAX_BYTES + " bytes");
            return;
        }
        Path spool = Files.createTempFile("hangar-upload-", ".part");
        try {
            try (OutputStream file = Files.newOutputStream(spool)) {
                long copied = copy(in, file, length);
                if (copied != length) {
                    return; // the runtime went away mid-body
                }
            }
            String type = request.value("content-type");
            String id = request.value("x-prediction-id");
            try {
                URI target = target(base, name);
                reply(out, 201, put(target, spool, type, id), "");
            } catch (CliError e) {
                reply(out, 502, null, e.code() + ": " + e.getMessage());
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /** PUTs the file; returns the URL it now lives at. */
    String put(URI url, Path file, String type, String predictionId) {
        URI target = url;
        for (int hop = 0; hop < 2; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(timeout).header("User-Agent", "hangar-cli")
                    .header("Content-Type", type == null ? "application/octet-stream" : type);
            if (predictionId != null) {
                b.header("X-Prediction-ID", predictionId);
            }
            HttpResponse<String> response;
            try {
                response = http.send(b.PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new CliError(ErrorCode.ERR_UPLOAD_FAILED, "cannot upload to " + UrlFetcher.strip(target) + ": "
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliError(ErrorCode.ERR_CANCELED, "interrupted while uploading");
            }
            int status = response.statusCode();
            URI from = target;
            var location = response.headers().firstValue("Location").map(l -> from.resolve(l.strip()));
            if ((status == 307 || status == 308) && location.isPresent() && hop == 0) {
                if (!UrlFetcher.sameHost(target, location.get())) {
                    throw new CliError(ErrorCode.ERR_UPLOAD_FAILED, UrlFetcher.strip(target) + " redirects the upload to "
                            + UrlFetcher.strip(location.get()) + ", another host; hangar follows an upload redirect only on "
                            + "the same host: give that URL as --upload-url if you trust it");
                }
                target = location.get();
                continue;
            }
            if (status / 100 != 2) {
                throw new CliError(ErrorCode.ERR_UPLOAD_FAILED, UrlFetcher.strip(target) + " answered HTTP " + status
                        + " to the upload");
            }
            URI stored = location.orElse(target);
            return UrlFetcher.strip(stored);
        }
        throw new CliError(ErrorCode.ERR_UPLOAD_FAILED, UrlFetcher.strip(url) + " redirected the upload more than once");
    }

    /** {@code base}'s folder + the encoded name; a query on the base (a signed prefix) is kept for the PUT. */
    static URI target(URI base, String name) {
        String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + (path.endsWith("/") ? path : path + "/")
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
                + (base.getRawQuery() == null ? "" : "?" + base.getRawQuery()));
    }

    /**
     * The file name a request path segment names, or null unless it is one plain segment: the
     * container is not trusted (a model can speak to this socket itself), so a name that would
     * leave the upload URL's folder once a server decodes it ({@code ..}, {@code %2F}) is refused.
     */
    static String fileName(String segment) {
        String name;
        try {
            name = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) {
            return null;
        }
        boolean plain = !name.isEmpty() && name.length() <= 255 && !name.equals(".") && !name.equals("..")
                && name.chars().noneMatch(c -> c == '/' || c == '\\' || c == '?' || c == '#' || c < 0x20 || c == 0x7f);
        return plain ? name : null;
    }

    private static void reply(OutputStream out, int status, String location, String text) throws IOException {
        SocketRelay.reply(out, status, status / 100 == 2 ? "Created" : "Error", location, text);
    }

    /** Copies exactly {@code length} bytes (the body ends at Content-Length); fewer if the stream ends first. */
    private static long copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        while (copied < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }
}
