package dev.hangar.runtime.client;

import java.io.IOException;
import java.nio.file.Path;

/** The Python runtime on a unix socket in the run folder: how the executor reaches a processor container. */
class PythonRuntimeOverUnixSocketTest extends RuntimeProtocolContract {

    @Override
    protected Server start(TestProcessor processor, Path dir) throws IOException {
        return RuntimeProcess.start(dir, processor.file, RuntimeProcess.contractEnv(processor, dir));
    }
}
