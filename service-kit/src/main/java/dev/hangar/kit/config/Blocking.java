package dev.hangar.kit.config;

import io.quarkus.runtime.BlockingOperationControl;

/** Guard for JDBC and HTTP calls: they must run on a worker thread, never on the Vert.x event loop. */
public final class Blocking {
    private Blocking() {}

    public static void require(String what) {
        if (!BlockingOperationControl.isBlockingAllowed()) {
            throw new IllegalStateException(what + " called on the event loop (" + Thread.currentThread().getName() + ")");
        }
    }
}
