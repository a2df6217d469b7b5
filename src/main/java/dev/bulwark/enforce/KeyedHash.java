package dev.bulwark.enforce;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.bulwark.bpf.KernelLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The hash of rule key targets and sources: SipHash-2-4 (bpf/siphash.h) under the secret the kernel holds in
 * its hash_key map, so that nobody who does not know it can choose a path whose hash meets a rule's.
 */
public final class KeyedHash {
    private final HashFunction sipHash;

    public KeyedHash(long k0, long k1) {
        this.sipHash = Hashing.sipHash24(k0, k1);
    }

    public long hash(String text) {
        return sipHash.hashBytes(text.getBytes(StandardCharsets.UTF_8)).asLong();
    }

    /** allowedArgs as the kernel hashes an exec's arguments: each argument followed by its NUL. */
    public long args(List<String> args) {
        Hasher hasher = sipHash.newHasher();
        for (String arg : args) {
            hasher.putBytes(arg.getBytes(StandardCharsets.UTF_8)).putByte((byte) 0);
        }
        return hasher.hash().asLong();
    }

    /** Two hashes as one target, as the kernel mixes them (a glob's directory and extension, program and args). */
    static long mix(long first, long second) {
        return first ^ (second * KernelLayout.MIX);
    }
}
