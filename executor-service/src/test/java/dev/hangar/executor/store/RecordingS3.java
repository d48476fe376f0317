package dev.hangar.executor.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * An {@link S3Client} that records every object written, in order. With a delegate (a real S3)
 * it passes every call on; without one it is an in-memory bucket.
 */
public final class RecordingS3 implements InvocationHandler {
    /** Keys in the order they were written. */
    public final List<String> writes = new CopyOnWriteArrayList<>();
    public final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    public final Map<String, String> contentTypes = new ConcurrentHashMap<>();
    private final S3Client delegate;

    private final S3Client client;

    /** An in-memory bucket. */
    public RecordingS3() {
        this(null);
    }

    /** Records what goes to {@code delegate}. */
    public RecordingS3(S3Client delegate) {
        this.delegate = delegate;
        this.client = (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class}, this);
    }

    public S3Client client() {
        return client;
    }

    @Override
    public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
        if (method.getName().equals("putObject") && args.length == 2 && args[0] instanceof PutObjectRequest put) {
            byte[] bytes = read((RequestBody) args[1]);
            writes.add(put.key());
            objects.put(put.key(), bytes);
            contentTypes.put(put.key(), put.contentType());
            return delegate == null ? PutObjectResponse.builder().build()
                    : delegate.putObject(put, RequestBody.fromBytes(bytes));
        }
        if (method.getName().equals("getObject") && args.length == 2 && args[0] instanceof GetObjectRequest get
                && args[1] instanceof Path target && delegate == null) {
            byte[] bytes = objects.get(get.key());
            if (bytes == null) {
                throw NoSuchKeyException.builder().message("no " + get.key()).build();
            }
            Files.write(target, bytes);
            return GetObjectResponse.builder().build();
        }
        boolean builderOverload = method.isDefault() && method.getName().equals("putObject");
        if (delegate == null || builderOverload) {
            // the builder overloads end in the calls above; anything else is not needed in memory
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static byte[] read(RequestBody body) {
        try (var in = body.contentStreamProvider().newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
