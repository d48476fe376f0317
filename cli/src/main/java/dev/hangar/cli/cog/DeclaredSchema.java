package dev.hangar.cli.cog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * A processor that declares its input schema twice, in {@code hangar.yaml}'s {@code inputs_schema}
 * and in its predictor ({@code input_schema}, or a Cog signature), must say the same in both: at
 * push time the built image derives its schema ({@code python3 -m hangar_runtime.signature}, as
 * {@code hangar build} does for a Cog project) and a difference stops the push before anything is
 * pushed, naming where the two part. Otherwise the gateway would check runs against one schema and
 * the runtime against the other.
 */
public final class DeclaredSchema {
    private static final String DEFAULT_PREDICTOR = "/src/predict.py:Predictor";
    /** What the signature tool says of a plain processor that declares no {@code input_schema}. */
    private static final JsonNode UNDECLARED = Json.MAPPER.createObjectNode().put("title", "Input").put("type", "object");

    private DeclaredSchema() {}

    /**
     * Compares {@code declared} with what {@code image}'s predictor serves as {@code Input}.
     *
     * @return null when they agree (or the predictor declares none, leaving hangar.yaml's the only one); the reason when the image cannot tell (no Hangar runtime with the
     *         signature tool in it, or a predictor that does not load without its run's environment)
     * @throws CliError {@code ERR_SPEC_INVALID} when they differ
     */
    public static String check(String image, JsonNode declared) {
        String predictor = predictorOf(image);
        Docker.Result r = Docker.capture(List.of("docker", "run", "--rm", "--network", "none", "--read-only", "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges", "--user", "10001:10001", "--tmpfs", "/tmp", "--entrypoint", "python3", image,
                "-m", "hangar_runtime.signature", "--predict", predictor), null);
        if (r.exit() != 0) {
            String why = r.err().strip();
            return why.isEmpty() ? "the signature tool exited " + r.exit() : why.lines().reduce((a, b) -> b).orElse(why);
        }
        JsonNode derived;
        try {
            derived = Json.MAPPER.readTree(r.out()).at("/components/schemas/Input");
        } catch (IOException e) {
            return "the signature tool printed no JSON";
        }
        if (derived.equals(UNDECLARED)) {
            return null; // a plain processor without input_schema: hangar.yaml holds the only schema
        }
        String where = firstDifference("", declared, derived);
        if (where != null) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, "hangar.yaml's inputs_schema and the input schema of " + predictor
                    + " in the built image differ at " + where + ": make them the same (nothing was pushed)");
        }
        return null;
    }

    /** The image's {@code HANGAR_PREDICTOR}, or the runtime's default. */
    static String predictorOf(String image) {
        String env = Docker.inspect(image, "{{range .Config.Env}}{{println .}}{{end}}");
        if (env != null) {
            for (String line : env.lines().toList()) {
                if (line.startsWith("HANGAR_PREDICTOR=") && line.length() > "HANGAR_PREDICTOR=".length()) {
                    return line.substring("HANGAR_PREDICTOR=".length());
                }
            }
        }
        return DEFAULT_PREDICTOR;
    }

    /**
     * The JSON pointer of the first place the two differ, with both values, or null when they are
     * equal. Numbers compare by value (YAML's {@code 600} is Python's {@code 600.0}).
     */
    static String firstDifference(String at, JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0 ? null : mismatch(at, a, b);
        }
        if (a.getNodeType() != b.getNodeType()) {
            return mismatch(at, a, b);
        }
        if (a.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String path = at + "/" + name.replace("~", "~0").replace("/", "~1");
                if (!a.has(name) || !b.has(name)) {
                    return path + " (" + (a.has(name) ? "only in hangar.yaml" : "only in the predictor") + ")";
                }
                String d = firstDifference(path, a.get(name), b.get(name));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a.isArray()) {
            if (a.size() != b.size()) {
                return mismatch(at, a, b);
            }
            Iterator<JsonNode> x = a.elements();
            Iterator<JsonNode> y = b.elements();
            for (int i = 0; x.hasNext(); i++) {
                String d = firstDifference(at + "/" + i, x.next(), y.next());
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return a.equals(b) ? null : mismatch(at, a, b);
    }

    private static String mismatch(String at, JsonNode a, JsonNode b) {
        return (at.isEmpty() ? "/" : at) + " (hangar.yaml: " + brief(a) + ", the predictor: " + brief(b) + ")";
    }

    private static String brief(JsonNode n) {
        String s = n.isMissingNode() ? "nothing" : n.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
