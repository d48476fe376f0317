package dev.hangar.gateway.service;

import java.security.SecureRandom;

/** Time-ordered, unguessable execution ids: {@code r-} + 10 chars of time + 16 of randomness (Crockford base32). */
final class ExecutionIds {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ExecutionIds() {}

    static String next() {
        var out = new StringBuilder("r-");
        long time = System.currentTimeMillis();
        for (int shift = 45; shift >= 0; shift -= 5) {
            out.append(ALPHABET[(int) (time >>> shift) & 31]);
        }
        for (int i = 0; i < 16; i++) {
            out.append(ALPHABET[RANDOM.nextInt(32)]);
        }
        return out.toString();
    }
}
