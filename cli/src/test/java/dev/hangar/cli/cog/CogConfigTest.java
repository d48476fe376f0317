package dev.hangar.cli.cog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CogConfigTest {

    static CliError refused(String yaml) {
        CliError e = assertThrows(CliError.class, () -> CogConfig.parse(yaml, "cog.yaml"));
        assertTrue(e.is(ErrorCode.ERR_SPEC_INVALID), e.code());
        return e;
    }

    @Test
    void readsEveryDocumentedField() {
        CogConfig c = CogConfig.parse("""
                build:
                  python_version: "3.11.4"
                  system_packages: [ffmpeg, "libgl1"]
                  python_packages: ["numpy==1.26.4", torch]
                  run:
                    - echo one
                    - command: echo two
                  gpu: false
                predict: "predict.py:Predictor"
                train: "train.py:train"
                image: "127.0.0.1:5000/me/model"
                concurrency:
                  max: 4
                environment: ["MODE=fast", "EMPTY="]
                """, "cog.yaml");
        assertEquals("3.11.4", c.build().pythonVersion());
        assertEquals(List.of("ffmpeg", "libgl1"), c.build().systemPackages());
        assertEquals(List.of("numpy==1.26.4", "torch"), c.build().pythonPackages());
        assertEquals(List.of("echo one", "echo two"), c.build().run());
        assertEquals("predict.py:Predictor", c.predict());
        assertEquals("train.py:train", c.train());
        assertEquals("127.0.0.1:5000/me/model", c.image());
        assertEquals(4, c.concurrency());
        assertEquals(List.of("MODE=fast", "EMPTY="), c.environment());
        assertTrue(c.build().needsPip());
        assertEquals("predict.py", c.predictFile());
    }

    @Test
    void runIsTheNewerNameOfPredictAndDefaultsAreCogs() {
        CogConfig c = CogConfig.parse("run: \"run.py:Runner\"\n", "cog.yaml");
        assertEquals("run.py:Runner", c.predict());
        assertEquals("3.11", c.build().pythonVersion());
        assertEquals(1, c.concurrency());
        assertFalse(c.build().needsPip());
        assertNull(c.train());
        // python_version: 3.11 unquoted is a YAML number
        assertEquals("3.11", CogConfig.parse("build:\n  python_version: 3.11\npredict: p.py:P\n", "x").build().pythonVersion());
    }

    @Test
    void aPythonVersionWithoutABaseIsRefusedNamingWhatThereIs() {
        CliError e = refused("build:\n  python_version: \"3.10\"\npredict: predict.py:Predictor\n");
        assertTrue(e.getMessage().contains("build.python_version"), e.getMessage());
        assertTrue(e.getMessage().contains("Python 3.10 is not available"), e.getMessage());
        assertTrue(e.getMessage().contains("3.11 only"), e.getMessage());
        assertEquals("/build/python_version", e.errors().getFirst().path());
        assertTrue(refused("build:\n  python_version: three\npredict: p.py:P\n").getMessage().contains("like \"3.11\""));
    }

    @Test
    void mistakesNameTheirField() {
        assertTrue(refused("build:\n  python_versoin: \"3.11\"\npredict: p.py:P\n").getMessage()
                .contains("unknown key 'build.python_versoin'"));
        assertTrue(refused("predikt: p.py:P\n").getMessage().contains("unknown key 'predikt'"));
        assertTrue(refused("build:\n  python_version: \"3.11\"\n").getMessage().contains("predict is missing"));
        assertTrue(refused("predict: predict.py\n").getMessage().contains("file.py:Name"));
        assertTrue(refused("predict: ../x.py:P\n").getMessage().contains("inside the project"));
        assertTrue(refused("predict: p.py:P\nrun: r.py:R\n").getMessage().contains("keep one"));
        assertTrue(refused("build:\n  run: echo hi\npredict: p.py:P\n").getMessage().contains("build.run must be a list"));
        assertTrue(refused("build:\n  run: [{cmd: x}]\npredict: p.py:P\n").getMessage().contains("build.run.0"));
        assertTrue(refused("build:\n  run: [{command: x, mounts: [{type: secret}]}]\npredict: p.py:P\n").getMessage()
                .contains("BuildKit"));
        assertTrue(refused("build:\n  gpu: yes please\npredict: p.py:P\n").getMessage().contains("build.gpu must be true or false"));
        assertTrue(refused("build:\n  python_packages: [a]\n  python_requirements: r.txt\npredict: p.py:P\n").getMessage()
                .contains("cannot be used together"));
        assertTrue(refused("build:\n  system_packages: [\"rm -rf /\"]\npredict: p.py:P\n").getMessage()
                .contains("not a Debian package name"));
        assertTrue(refused("build:\n  python_packages: [\"--index-url=x\"]\npredict: p.py:P\n").getMessage()
                .contains("not a pip requirement"));
        assertTrue(refused("predict: p.py:P\nconcurrency:\n  max: 0\n").getMessage().contains("concurrency.max"));
        assertTrue(refused("predict: p.py:P\nenvironment: [\"no equals\"]\n").getMessage().contains("NAME=value"));
        assertTrue(refused("predict: [p.py:P\n").getMessage().contains("not valid YAML"));
        assertTrue(refused("").getMessage().contains("is empty"));
        assertTrue(refused("- a\n").getMessage().contains("must be a mapping"));
    }

    @Test
    void aMissingPredictorFileOrClassIsRefusedBeforeABuild(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cog.yaml"), "predict: \"predict.py:Predictor\"\n");
        CliError e = assertThrows(CliError.class, () -> CogConfig.read(dir));
        assertTrue(e.getMessage().contains("names predict.py, which is not a file"), e.getMessage());
        Files.writeString(dir.resolve("predict.py"), "class Other:\n    pass\n");
        e = assertThrows(CliError.class, () -> CogConfig.read(dir));
        assertTrue(e.getMessage().contains("predict.py defines no class or function Predictor"), e.getMessage());
        Files.writeString(dir.resolve("predict.py"), "class Predictor:\n    pass\n");
        assertEquals("predict.py:Predictor", CogConfig.read(dir).predict());
        Files.writeString(dir.resolve("cog.yaml"), "predict: \"predict.py:Predictor\"\nbuild:\n  python_requirements: req.txt\n");
        e = assertThrows(CliError.class, () -> CogConfig.read(dir));
        assertTrue(e.getMessage().contains("build.python_requirements names req.txt"), e.getMessage());
    }

    @Test
    void noCogYamlSaysHowToStart(@TempDir Path dir) {
        CliError e = assertThrows(CliError.class, () -> CogConfig.read(dir));
        assertTrue(e.getMessage().contains("hangar init"), e.getMessage());
    }

    @Test
    void theProjectNameIsADockerName() {
        assertEquals("my-model", CogConfig.projectName(Path.of("/x/My Model")));
        assertEquals("a.b_c", CogConfig.projectName(Path.of("/x/a.b_c")));
        assertEquals("model", CogConfig.projectName(Path.of("/x/___")));
    }
}
