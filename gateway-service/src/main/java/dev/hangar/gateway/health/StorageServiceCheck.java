package dev.hangar.gateway.health;

import dev.hangar.kit.tls.HangarTls;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

/** Attachments and artefact downloads go through it. */
@Readiness
@Singleton
public class StorageServiceCheck extends UpstreamCheck {

    public StorageServiceCheck(@ConfigProperty(name = "quarkus.rest-client.storage.url") String url, HangarTls tls) {
        super("storage-service", url, tls);
    }
}
