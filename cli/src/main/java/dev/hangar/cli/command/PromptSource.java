package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sampling prompt, as tinkex reads {@code --prompt-file}: a JSON array of integers, or a JSON
 * object whose {@code tokens} is one, is a list of token ids (sent as they are); anything else
 * is the file's text, verbatim (encoded by the model's tokenizer, BOS first). Unlike tinkex, a
 * file that begins like token ids ({@code [} and a number, or {@code {"tokens":}) but is not
 * valid token JSON (cut short, a non-integer id) is refused rather than sampled as text: that
 * is a broken token file, not a prompt (a text prompt such as {@code [INST] …} stays text).
 */
record PromptSource(String text, List<Integer> tokens) {
    private static final java.util.regex.Pattern LOOKS_LIKE_TOKENS =
            java.util.regex.Pattern.compile("\\A\\s*(\\[\\s*-?\\d|\\{\\s*\"tokens\"\\s*:)");

    static PromptSource ofText(String text) {
        return new PromptSource(text, null);
    }

    static PromptSource read(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--prompt-file " + file + " cannot be read: " + e.getMessage(), e);
        }
        List<Integer> tokens = tokens(content);
        if (tokens == null && LOOKS_LIKE_TOKENS.matcher(content).lookingAt()) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--prompt-file " + file + " begins like token ids but is not a JSON "
                    + "array of integer token ids nor {\"tokens\": [...]}: " + problem(content) + "; fix the JSON, or use --prompt for text");
        }
        return tokens != null ? new PromptSource(null, tokens) : ofText(content);
    }

    /** The token ids the content holds, or null when it is text. */
    static List<Integer> tokens(String content) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(content);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (node != null && node.isObject() && node.size() >= 1 && node.has("tokens")) {
            node = node.get("tokens");
        }
        if (node == null || !node.isArray()) {
            return null;
        }
        var ids = new ArrayList<Integer>();
        for (JsonNode n : node) {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                return null;
            }
            ids.add(n.asInt());
        }
        return ids;
    }

    /** What is wrong with content that begins like token JSON. */
    private static String problem(String content) {
        try {
            Json.MAPPER.readTree(content);
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            return "it is not valid JSON (" + message.lines().findFirst().orElse(message) + ")";
        }
        return "every token id must be a whole number";
    }
}
