package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Platform;
import org.junit.jupiter.api.Test;

class HostPlatformTest {

    @Test
    void aRunForAnotherPlatformNeedsAnotherHost() {
        var e = assertThrows(HangarException.class, () -> new HostPlatform(Platform.AMD64).requireRun(Platform.ARM64));
        assertEquals(ErrorCode.ERR_PLATFORM_UNSUPPORTED, e.code());
        assertEquals("this executor runs amd64 images and the run asks for arm64; use --platform amd64 or an executor on a arm64 host",
                e.getMessage());
        assertDoesNotThrow(() -> new HostPlatform(Platform.AMD64).requireRun(Platform.AMD64));
    }

    @Test
    void anImageMustBeBuiltForThePlatformItWasPinnedFor() {
        var e = assertThrows(HangarException.class, () -> HostPlatform.requireImage("the image", "arm64", Platform.AMD64));
        assertEquals(ErrorCode.ERR_PLATFORM_UNSUPPORTED, e.code());
        assertDoesNotThrow(() -> HostPlatform.requireImage("the image", "amd64", Platform.AMD64));
        assertDoesNotThrow(() -> HostPlatform.requireImage("the image", null, Platform.AMD64), "an engine that reports no architecture");
    }
}
