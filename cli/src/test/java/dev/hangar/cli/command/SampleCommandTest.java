package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.cli.CliRunner;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Sampling;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hangar sample}: prompt files as tinkex reads them, --stop, tinkex's plain output, and the 202 → GET path. */
class SampleCommandTest {
    static final String RESPONSE = """
            {"sequences":[{"tokens":[5,6],"logprobs":[-1.0,-2.0],"stop_reason":"length","text":" a penny"},
                          {"tokens":[7,2],"logprobs":[-0.5,-0.25],"stop_reason":"stop","text":" earned"}],
             "prompt_logprobs":null,"topk_prompt_logprobs":null,"type":"sample","run_id":"r-1","stream_url":"ws://x/v1/runs/r-1/stream"}""";

    @TempDir
    Path dir;

    @Test
    void aPromptFileIsTokenIdsWhenItIsAJsonListOfIntegersElseText() throws Exception {
        assertEquals(List.of(1, 45, 99), read("[1, 45, 99]").tokens());
        assertEquals(List.of(1, 2), read("{\"tokens\": [1, 2]}").tokens());
        for (String text : List.of("A penny saved\n", "[\"a\", 1]", "{\"prompt\": [1]}", "[INST] hello [/INST]", "42", "")) {
            PromptSource source = read(text);
            assertNull(source.tokens(), text);
            assertEquals(text, source.text(), "text is used verbatim");
        }
    }

    @Test
    void aFileThatBeginsLikeTokenIdsButIsNotValidTokenJsonIsRefusedSayingWhy() throws Exception {
        for (String broken : List.of("[1, 2,", "[1.5]", " [3, \"x\"]", "{\"tokens\": [1, 2", "{\"tokens\": [1, \"a\"]}")) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(dev.hangar.cli.error.CliError.class, () -> read(broken), broken);
            assertEquals("ERR_OPTION_INVALID", e.code(), broken);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("begins like token ids"), e.getMessage());
        }
    }

    PromptSource read(String content) throws Exception {
        Path file = Files.writeString(dir.resolve("prompt-" + System.nanoTime()), content);
        return PromptSource.read(file);
    }

    @Test
    void stopsAreTokenIdsOnlyWhenEveryOneIsAnInteger() {
        assertEquals("[2,13]", stop("2", "13"));
        assertEquals("[\"2\",\"\\n\"]", stop("2", "\n"));
        assertNull(new SampleCommand().stop());
    }

    static String stop(String... values) {
        var c = new SampleCommand();
        c.stop = List.of(values);
        return Json.write(c.stop());
    }

    @Test
    void plainOutputIsTinkexs() {
        assertEquals("""
                Sample 1:
                 a penny
                stop_reason=length | avg_logprob=-1.500

                Sample 2:
                 earned
                stop_reason=stop | avg_logprob=-0.375""", SampleCommand.plain(Json.read(RESPONSE, Sampling.Response.class)));
    }

    @Test
    void aSampleStillRunningIsReadBackFromItsRunAndWrittenToOutput() throws Exception {
        var bodies = new CopyOnWriteArrayList<String>();
        var paths = new CopyOnWriteArrayList<String>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/sample", exchange -> {
            paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            boolean post = exchange.getRequestMethod().equals("POST");
            byte[] body = (post ? "{\"execution_id\":\"r-1\",\"status\":\"running\",\"run_url\":\"u\",\"stream_url\":\"s\"}" : RESPONSE)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(post ? 202 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Path prompt = Files.writeString(dir.resolve("p.json"), "{\"tokens\":[1,45]}");
            Path out = dir.resolve("out/result.json");
            var r = CliRunner.run("sample", "--base-model", "hangar/tiny-lm", "--prompt-file", prompt.toString(), "--max-tokens", "8",
                    "--temperature", "0", "--seed", "3", "--stop", "\n", "--num-samples", "2", "--prompt-logprobs", "--json",
                    "--output", out.toString(), "--url", "http://127.0.0.1:" + server.getAddress().getPort());
            assertEquals(0, r.exit(), r::toString);
            assertEquals(List.of("POST /v1/sample?wait_ms=60000", "GET /v1/sample/r-1?wait_ms=60000"), paths);
            assertEquals(Json.MAPPER.readTree("""
                    {"base_model":"hangar/tiny-lm","prompt":{"chunks":[{"type":"encoded_text","tokens":[1,45]}]},
                     "sampling_params":{"max_tokens":8,"temperature":0.0,"seed":3,"stop":["\\n"]},"num_samples":2,
                     "prompt_logprobs":true}"""), Json.MAPPER.readTree(bodies.getFirst()));
            JsonNode written = Json.MAPPER.readTree(Files.readString(out));
            assertEquals("r-1", written.path("run_id").asText());
            assertEquals(2, written.path("sequences").size());
            assertTrue(r.out().isEmpty(), "with --output nothing goes to stdout: " + r);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aPromptIsRequiredAndOnlyOne() {
        var none = CliRunner.run("sample", "--base-model", "m", "--url", CliRunner.closedUrl());
        assertEquals(1, none.exit(), none::toString);
        assertTrue(none.err().contains("--prompt"), none::toString);
        var both = CliRunner.run("sample", "--base-model", "m", "--prompt", "a", "--prompt-file", "b", "--url", CliRunner.closedUrl());
        assertTrue(both.err().contains("mutually exclusive"), both::toString);
        assertEquals(1, both.exit(), both::toString);
    }
}
