package dev.hangar.registry.auth;

import dev.hangar.kit.testing.FallbackRefusal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The packaged service, started as in production but with the built-in internal token, refuses to run. */
class FallbackRefusalIT {
    @Test
    void theProductionProfileRefusesTheBuiltInInternalToken() throws Exception {
        String testDb = System.getenv("_TEST_QUARKUS_DATASOURCE_JDBC_URL");
        FallbackRefusal.assertRefusesTheBuiltInToken("registry-service", Map.of("HANGAR_DB_URL",
                testDb != null ? testDb : "jdbc:postgresql://127.0.0.1:5432/hangar_registry_test"));
    }
}
