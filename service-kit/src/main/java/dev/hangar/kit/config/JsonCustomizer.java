package dev.hangar.kit.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.contracts.Json;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** Gives the REST layer the contracts' Jackson settings, so unknown properties are refused. */
@Singleton
public class JsonCustomizer implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        Json.configure(mapper);
    }
}
