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
 * is never masked again. Tokens go through a {@link Stream}, because a model may emit a secret
 * a piece per token.
 */
public final class Redactor {
    public static final String MASK = "**redacted**";
    static final Redactor NONE = new Redactor(List.of());

    private final Pattern pattern;
    private final List<String> values;

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
        this.values = List.copyOf(all);
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

    /** A masking stream for one run's events: tokens are held back while they could be the start of a secret. */
    Stream stream() {
        return new Stream();
    }

    /**
     * Masks a run's events in order. Token text that ends in what could be the beginning of a
     * secret is held back (at most the longest secret's length) until the next token tells, so a
     * secret split across tokens is still masked whole; any other event first releases what is held.
     * Not thread-safe: the caller orders the events.
     */
    final class Stream {
        private String held = "";

        /** What to publish for {@code body}, in order: nothing (held back), the body masked, or held text then the body. */
        List<RunEvent.Body> mask(RunEvent.Body body) {
            if (pattern == null) {
                return List.of(body);
            }
            if (body instanceof RunEvent.Token token) {
                String text = held + (token.text() == null ? "" : token.text());
                int cut = holdFrom(text);
                held = text.substring(cut);
                return cut == 0 ? List.of() : List.of(new RunEvent.Token(apply(text.substring(0, cut))));
            }
            var out = new java.util.ArrayList<>(flush());
            out.add(Redactor.this.mask(body));
            return out;
        }

        /** The held-back token text, masked, for when no event follows (the run ends). */
        List<RunEvent.Body> flush() {
            if (held.isEmpty()) {
                return List.of();
            }
            var release = new RunEvent.Token(apply(held));
            held = "";
            return List.of(release);
        }

        /** Where the held-back tail starts: the longest suffix that begins a secret, never inside a whole one. */
        private int holdFrom(String text) {
            int cut = text.length();
            for (String v : values) {
                for (int k = Math.min(v.length() - 1, text.length()); k > 0; k--) {
                    if (text.regionMatches(text.length() - k, v, 0, k)) {
                        cut = Math.min(cut, text.length() - k);
                        break;
                    }
                }
            }
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                if (m.start() < cut && cut < m.end()) {
                    cut = m.start();
                }
            }
            return cut;
        }
    }
}
