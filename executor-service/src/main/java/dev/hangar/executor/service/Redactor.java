package dev.hangar.executor.service;

import dev.hangar.contracts.RunEvent;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blanks secret values out of anything that leaves the executor: every text field of every
 * event (log lines, tokens, progress messages), error messages and stderr tails.
 *
 * <p>The rule is the safe one: a secret of <em>any</em> length is masked wherever it appears,
 * even a one-character one (which then masks that character everywhere: such a secret is
 * barely secret, and losing readability is better than leaking it). A multi-line secret (a PEM
 * key) is masked whole and also line by line, because processors print line by line. Masking is
 * one pass, longest value first, so a secret inside another is masked whole and the mask itself
 * is never masked again.
 */
public final class Redactor {
    public static final String MASK = "**redacted**";
    static final Redactor NONE = new Redactor(List.of());

    private final Pattern pattern;

    Redactor(Collection<String> values) {
        Set<String> all = new LinkedHashSet<>();
        for (String v : values) {
            if (v == null || v.isEmpty()) {
                continue;
            }
            all.add(v);
            if (v.contains("\n")) {
                v.lines().map(String::strip).filter(line -> !line.isEmpty()).forEach(all::add);
            }
        }
        this.pattern = all.isEmpty() ? null : Pattern.compile(all.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote)
                .reduce((a, b) -> a + "|" + b).orElseThrow());
    }

    public String apply(String text) {
        if (text == null || pattern == null) {
            return text;
        }
        return pattern.matcher(text).replaceAll(Matcher.quoteReplacement(MASK));
    }

    /** The event with every text it carries masked; events without free text pass unchanged. */
    public RunEvent.Body mask(RunEvent.Body body) {
        if (pattern == null) {
            return body;
        }
        return switch (body) {
            case RunEvent.Log log -> new RunEvent.Log(log.stream(), apply(log.line()));
            case RunEvent.Token token -> new RunEvent.Token(apply(token.text()));
            case RunEvent.Progress progress -> new RunEvent.Progress(progress.fraction(), apply(progress.message()));
            default -> body;
        };
    }
}
