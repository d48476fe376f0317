package dev.hangar.gateway.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.contracts.Json;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** Wire types parse strictly everywhere, as the contract says. */
@Singleton
public class JsonCustomizer implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        Json.configure(mapper);
    }
}
