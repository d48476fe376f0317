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
 * is the file's text, verbatim (encoded by the model's tokenizer, BOS first).
 */
record PromptSource(String text, List<Integer> tokens) {

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
}
