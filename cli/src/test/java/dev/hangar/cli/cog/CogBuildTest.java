package dev.hangar.cli.cog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated Dockerfile and build context, without an engine. */
class CogBuildTest {
    static final CogBuild.Options PLAIN = new CogBuild.Options(null, false, false, null, null, "base:1");

    @Test
    void aBareProjectIsTheBasePlusTheCode() {
        String d = CogBuild.dockerfile(CogConfig.parse("predict: predict.py:Predictor\n", "x"), PLAIN, false);
        assertTrue(d.contains("FROM base:1\n"), d);
        assertTrue(d.contains("COPY src/ /src/\n"), d);
        assertTrue(d.contains("ENV HANGAR_PREDICTOR=\"/src/predict.py:Predictor\"\n"), d);
        assertTrue(d.endsWith("USER 10001:10001\nWORKDIR /src\n"), d);
        assertFalse(d.contains("apt-get"), "no packages asked for: no apt-get, no pip\n" + d);
        assertFalse(d.contains("pip"), d);
    }

    @Test
    void packagesRunCommandsWeightsAndEnvironmentInLayerOrder() {
        CogConfig c = CogConfig.parse("""
                build:
                  system_packages: [jq]
                  python_packages: ["hello==1.0"]
                  run: ["echo built > /opt/marker"]
                predict: predict.py:Predictor
                train: train.py:train
                concurrency: {max: 3}
                environment: ['GREETING=say "hi" $HOME']
                """, "x");
        String d = CogBuild.dockerfile(c, new CogBuild.Options(null, false, true, Path.of("/w"), null, "base:1"), true);
        int apt = d.indexOf("apt-get install -y -qq --no-install-recommends jq python3-pip");
        int pip = d.indexOf("--no-index --find-links /tmp/hangar-build/wheels -r /tmp/hangar-build/requirements.txt");
        int run = d.indexOf("RUN echo built > /opt/marker");
        int weights = d.indexOf("COPY weights/ /src/weights/");
        int code = d.indexOf("COPY src/ /src/");
        assertTrue(apt > 0 && pip > apt && run > pip && weights > run && code > weights, d);
        assertTrue(d.contains("ENV HANGAR_TRAINER=\"/src/train.py:train\""), d);
        assertTrue(d.contains("ENV COG_MAX_CONCURRENCY=\"3\""), d);
        assertTrue(d.contains("ENV GREETING=\"say \\\"hi\\\" \\$HOME\""), d);
        String indexed = CogBuild.dockerfile(c, new CogBuild.Options(null, false, false, null, "http://127.0.0.1:3141/simple", "b"), true);
        assertTrue(indexed.contains("RUN if [ -n \"${ftp_proxy:-}\" ]; then export PIP_INDEX_URL=\"$ftp_proxy\"; fi; unset ftp_proxy; "
                + "python3 -m pip install"), indexed);
        assertFalse(indexed.contains("127.0.0.1:3141"), "the index URL is a build arg, never in the Dockerfile:\n" + indexed);
        assertFalse(indexed.contains("COPY weights/"), "without --separate-weights the weights are part of the code\n" + indexed);
    }

    @Test
    void aGpuProjectPicksItsCudaBaseFromTheTable() {
        CogConfig gpu = CogConfig.parse("build:\n  gpu: true\n  cuda: \"11.8\"\npredict: p.py:P\n", "x");
        assertEquals(CogBuild.CUDA_BASES.get("11.8"), CogBuild.baseImage(gpu, PLAIN));
        CogConfig unknown = CogConfig.parse("build:\n  gpu: true\n  cuda: \"9.0\"\npredict: p.py:P\n", "x");
        CliError e = assertThrows(CliError.class, () -> CogBuild.baseImage(unknown, PLAIN));
        assertTrue(e.getMessage().contains("not in the compatibility table"), e.getMessage());
    }

    @Test
    void theContextKeepsIgnoredFilesAndWeightsOut(@TempDir Path dir, @TempDir Path context) throws Exception {
        Files.writeString(dir.resolve("predict.py"), "class Predictor: pass\n");
        Files.writeString(dir.resolve(".dockerignore"), "# comment\n*.log\ndata/\n");
        Files.writeString(dir.resolve("run.log"), "x");
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/big.bin"), "x");
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), "x");
        Files.createDirectories(dir.resolve("weights"));
        Files.writeString(dir.resolve("weights/model.bin"), "w");
        CogConfig c = CogConfig.parse("predict: predict.py:Predictor\nbuild:\n  python_packages: [a==1]\n", "x");
        assertTrue(CogBuild.prepare(dir, c, new CogBuild.Options(null, false, true, null, null, "b"), context));
        assertTrue(Files.isRegularFile(context.resolve("src/predict.py")));
        assertFalse(Files.exists(context.resolve("src/run.log")));
        assertFalse(Files.exists(context.resolve("src/data")));
        assertFalse(Files.exists(context.resolve("src/.git")));
        assertFalse(Files.exists(context.resolve("src/weights")));
        assertEquals("w", Files.readString(context.resolve("weights/model.bin")));
        assertEquals("a==1\n", Files.readString(context.resolve("requirements.txt")));
    }

    @Test
    void aCogInputSchemaBecomesAStandaloneJsonSchema() throws Exception {
        JsonNode openapi = Json.MAPPER.readTree("""
                {"components":{"schemas":{
                  "Input":{"type":"object","required":["color"],"properties":{
                    "color":{"allOf":[{"$ref":"#/components/schemas/color"}],"x-order":0},
                    "n":{"type":"integer","default":1}}},
                  "color":{"enum":["red","blue"],"type":"string","title":"color"}}}}""");
        JsonNode s = CogPush.inputsSchema(openapi);
        assertEquals("https://json-schema.org/draft/2020-12/schema", s.path("$schema").asText());
        assertEquals("#/$defs/color", s.at("/properties/color/allOf/0/$ref").asText());
        assertEquals("red", s.at("/$defs/color/enum/0").asText());
        assertEquals("color", s.at("/required/0").asText());
    }

    @Test
    void pushTargetsAreNsSlashName() {
        assertEquals(new CogPush.Target("127.0.0.1:5000/me/model", "me", "model"), CogPush.Target.parse("me/model"));
        assertEquals(new CogPush.Target("127.0.0.1:5000/me/model", "me", "model"), CogPush.Target.parse("127.0.0.1:5000/me/model:v3"));
        assertTrue(assertThrows(CliError.class, () -> CogPush.Target.parse("model")).getMessage().contains("NS/NAME"));
        assertTrue(assertThrows(CliError.class, () -> CogPush.Target.parse(null)).getMessage().contains("image:"));
        assertThrows(CliError.class, () -> CogPush.Target.parse("Me/Model"));
    }

    @Test
    void pushMapsConcurrencyMaxToWarmMaxConcurrencyAndGpuToRuntimeGpus() throws Exception {
        JsonNode openapi = Json.MAPPER.readTree("{\"components\":{\"schemas\":{\"Input\":{\"type\":\"object\","
                + "\"properties\":{\"text\":{\"type\":\"string\"}}}}}}");
        var target = CogPush.Target.parse("127.0.0.1:5000/me/model");
        CogConfig plain = CogConfig.parse("build:\n  python_version: \"3.11\"\npredict: \"predict.py:Predictor\"\n", "cog.yaml");
        var cold = CogPush.spec(target, 1, plain, openapi, dev.hangar.contracts.Platform.AMD64, "sha256:" + "a".repeat(64));
        assertEquals(null, cold.warm(), "concurrency 1: the cold path");
        assertEquals(0, cold.runtime().gpus());

        CogConfig busy = CogConfig.parse("build:\n  python_version: \"3.11\"\n  gpu: true\npredict: \"predict.py:Predictor\"\n"
                + "concurrency:\n  max: 8\n", "cog.yaml");
        var spec = CogPush.spec(target, 2, busy, openapi, dev.hangar.contracts.Platform.AMD64, "sha256:" + "b".repeat(64));
        assertEquals(8, spec.warm().maxConcurrency());
        assertTrue(spec.warm().enabled(), "one warm container serves the 8");
        assertEquals(1, spec.runtime().gpus());
        // what the registry stores and validates: the wire form, and no problem with it
        JsonNode wire = Json.MAPPER.valueToTree(spec);
        assertEquals(8, wire.at("/warm/max_concurrency").asInt(), wire.toString());
        assertEquals(1, wire.at("/runtime/gpus").asInt(), wire.toString());
        assertTrue(spec.warm().problems().isEmpty(), spec.warm().problems().toString());
    }
}
