package dev.hangar.storage.auth;

import dev.hangar.kit.testing.FallbackRefusal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The packaged service, started as in production but with the built-in internal token, refuses to run. */
class FallbackRefusalIT {
    @Test
    void theProductionProfileRefusesTheBuiltInInternalToken() throws Exception {
        FallbackRefusal.assertRefusesTheBuiltInToken("storage-service", Map.of());
    }
}
