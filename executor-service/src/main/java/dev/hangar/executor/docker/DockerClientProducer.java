package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** One docker-java client for this executor's engine (DOCKER_HOST, default the local socket). */
@ApplicationScoped
public class DockerClientProducer {

    @Produces
    @ApplicationScoped
    DockerClient dockerClient(@ConfigProperty(name = "docker.host", defaultValue = "unix:///var/run/docker.sock") String host) {
        // No API version pinned: the engine here speaks 1.41 and docker-java negotiates down to it.
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        var http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofMinutes(10))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    void close(@Disposes DockerClient client) throws IOException {
        client.close();
    }
}
