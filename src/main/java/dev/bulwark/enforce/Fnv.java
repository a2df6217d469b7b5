package dev.bulwark.enforce;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** FNV-1a 64, the hash the BPF programs compute over paths (see hash_string and walk_byte). */
public final class Fnv {
    static final long OFFSET = 0xcbf29ce484222325L;
    static final long PRIME = 0x100000001b3L;

    private Fnv() {
    }

    /** allowedArgs as the kernel hashes an exec's arguments: each argument followed by its NUL. */
    public static long args(List<String> args) {
        long hash = OFFSET;
        for (String arg : args) {
            for (byte b : (arg + "\0").getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * PRIME;
            }
        }
        return hash;
    }

    public static long hash(String text) {
        long hash = OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * PRIME;
        }
        return hash;
    }
}
