package dev.hangar.executor.service;

import java.util.Collection;
import java.util.List;

/** Blanks secret values out of anything that leaves the executor: log lines, stderr tails, messages. */
public final class Redactor {
    public static final String MASK = "**redacted**";
    static final Redactor NONE = new Redactor(List.of());

    private final List<String> values;

    Redactor(Collection<String> values) {
        // longest first, so a secret containing another is masked whole; very short values would mask noise
        this.values = values.stream().filter(v -> v.length() >= 4).sorted((a, b) -> b.length() - a.length()).toList();
    }

    public String apply(String text) {
        if (text == null || values.isEmpty()) {
            return text;
        }
        String out = text;
        for (String v : values) {
            out = out.replace(v, MASK);
        }
        return out;
    }
}
