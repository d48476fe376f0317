package dev.hangar.executor.store;

import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.MediaTypes;
import dev.hangar.contracts.OutputIndex;
import dev.hangar.contracts.OutputRef;
import dev.hangar.executor.config.ArtifactsConfig;
import dev.hangar.executor.config.UploadConfig;
import dev.hangar.executor.metrics.ExecutorMeters;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Uploads a run's output folder under its write prefix, content-addressed by sha256, then writes
 * {@code outputs.json} last so a reader that sees the index sees every output.
 */
@ApplicationScoped
public class OutputStore {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(OutputStore.class);
    private final S3Client s3;
    private final ArtifactsConfig config;
    private final UploadConfig upload;

    @jakarta.inject.Inject
    public OutputStore(S3Client s3, ArtifactsConfig config, UploadConfig upload) {
        this.s3 = s3;
        this.config = config;
        this.upload = upload;
    }

    public OutputStore(S3Client s3, ArtifactsConfig config) {
        this(s3, config, UploadConfig.DEFAULTS);
    }

    /** {@link #upload(List, String, String, Consumer)} of a folder checked with the default limits. */
    public List<OutputRef> upload(Path folder, String prefix, String executionId, Consumer<OutputRef> onOutput) {
        return upload(new OutputCollector(1000, 1L << 30).collect(folder), prefix, executionId, onOutput);
    }

    /**
     * Stores checked outputs ({@link OutputCollector}) in path order, each read without following
     * links; {@code onOutput} sees each as it lands.
     */
    @WithSpan("hangar.run.upload")
    public List<OutputRef> upload(List<OutputCollector.OutputFile> files, String prefix, String executionId,
                                  Consumer<OutputRef> onOutput) {
        var outputs = new ArrayList<OutputRef>();
        try {
            for (var file : files) {
                var ref = new OutputRef(prefix + file.relative(), file.cid(), file.size(), mime(file.relative()));
                put(ref.path(), RequestBody.fromContentProvider(() -> openOrFail(file), file.size(), ref.mime()), ref.mime());
                outputs.add(ref);
                onOutput.accept(ref);
            }
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_UPLOAD_FAILED, "cannot read the run's outputs: " + e.getMessage(), e);
        }
        byte[] index = Json.write(new OutputIndex(executionId, outputs)).getBytes(StandardCharsets.UTF_8);
        put(OutputIndex.pathUnder(prefix), RequestBody.fromBytes(index), MediaTypes.of(OutputIndex.FILE));
        return outputs;
    }

    private static java.io.InputStream openOrFail(OutputCollector.OutputFile file) {
        try {
            return file.open();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Fetches an uploaded input file and checks its bytes against the content id in its path. */
    @WithSpan("hangar.run.input")
    public void download(String artefactPath, Path target) {
        try {
            Files.createDirectories(target.getParent());
            s3.getObject(b -> b.bucket(config.bucket()).key(ArtifactPath.toKey(artefactPath)), target);
            String expected = dev.hangar.contracts.Attachments.cid(artefactPath);
            if (expected != null && !expected.equals(cid(target))) {
                Files.deleteIfExists(target);
                throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "the stored bytes of " + artefactPath + " do not match its content id");
            }
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "no attachment is stored at " + artefactPath + "; upload it first");
        } catch (SdkException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "cannot fetch " + artefactPath + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Puts one object, again after a pause that doubles each time while S3 is unreachable or
     * answers 5xx; a 4xx answer is final at once. The run then fails with ERR_UPLOAD_FAILED and,
     * since outputs.json is written last, no reader takes the outputs already stored for a result.
     */
    private void put(String path, RequestBody body, String mime) {
        var pause = upload.backoff();
        for (int attempt = 1; ; attempt++) {
            try {
                s3.putObject(b -> b.bucket(config.bucket()).key(ArtifactPath.toKey(path)).contentType(mime), body);
                body.optionalContentLength().ifPresent(ExecutorMeters::uploaded);
                return;
            } catch (SdkException | java.io.UncheckedIOException e) {
                // The URL-connection client lets a dropped keep-alive connection out as UncheckedIOException, not SdkException.
                boolean refused = e instanceof S3Exception s && s.statusCode() >= 400 && s.statusCode() < 500;
                if (refused || attempt >= upload.attempts()) {
                    throw new HangarException(ErrorCode.ERR_UPLOAD_FAILED, "cannot store " + path + " in bucket "
                            + config.bucket() + " at " + endpoint() + " (" + attempt + " attempt(s)): " + e.getMessage(), e);
                }
                LOG.warnf("storing %s in bucket %s failed (attempt %d of %d), again in %d ms: %s", path, config.bucket(),
                        attempt, upload.attempts(), pause.toMillis(), e.getMessage());
                sleep(pause);
                pause = pause.multipliedBy(2);
            }
        }
    }

    private String endpoint() {
        return s3.serviceClientConfiguration().endpointOverride().map(Object::toString).orElse("the AWS S3 endpoint");
    }

    private static void sleep(java.time.Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_UPLOAD_FAILED, "interrupted while waiting to retry an upload");
        }
    }

    static String cid(Path file) throws IOException {
        return ContentId.of(file);
    }

    static String mime(String name) {
        return MediaTypes.of(name);
    }
}
