package dev.bulwark.enforce;

import java.nio.charset.StandardCharsets;

/** FNV-1a 64, the hash the BPF programs compute over paths (see hash_string and walk_byte). */
public final class Fnv {
    static final long OFFSET = 0xcbf29ce484222325L;
    static final long PRIME = 0x100000001b3L;

    private Fnv() {
    }

    public static long hash(String text) {
        long hash = OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * PRIME;
        }
        return hash;
    }
}
