package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's keyed hash (bpf/siphash.h, fed a byte at a time and hashed at every slash on the way, or a word
 * at a time) and the agent's (KeyedHash) agree: a C program built from the same header prints the hash of every
 * prefix ending in a slash and of the whole string both ways, for strings of every length around the word.
 */
class KeyedHashTest {
    static final long K0 = 0x0706050403020100L;
    static final long K1 = 0x0f0e0d0c0b0a0908L;

    @Test
    void theKernelsIncrementalSipHashIsTheAgents(@TempDir Path dir) throws IOException, InterruptedException {
        List<String> texts = new ArrayList<>(List.of("", "/", "/etc/shadow", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                "moc.elgoog", "\u00e9t\u00e9/caf\u00e9"));
        for (int length = 1; length <= 17; length++) {
            texts.add("/" + "a".repeat(length));
        }
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <string.h>
                #include <linux/types.h>
                #define __always_inline inline
                #include "siphash.h"
                static void run(const char *text) {
                    struct siphash s;
                    size_t n = strlen(text);
                    sip_init(&s, %sULL, %sULL);
                    for (size_t i = 0; i < n; i++) {
                        sip_byte(&s, (__u8)text[i]);
                        if (text[i] == '/')
                            printf("%%llu ", (unsigned long long)sip_final(&s));
                    }
                    printf("%%llu ", (unsigned long long)sip_final(&s));
                    /* the same text a word at a time, then byte by byte */
                    sip_init(&s, %sULL, %sULL);
                    size_t at = 0;
                    for (; at + 8 <= n; at += 8) {
                        __u64 word;
                        memcpy(&word, text + at, 8);
                        sip_word(&s, word);
                    }
                    for (; at < n; at++)
                        sip_byte(&s, (__u8)text[at]);
                    printf("%%llu\\n", (unsigned long long)sip_final(&s));
                }
                int main(void) {
                """.formatted(Long.toUnsignedString(K0), Long.toUnsignedString(K1), Long.toUnsignedString(K0),
                Long.toUnsignedString(K1)));
        KeyedHash hash = new KeyedHash(K0, K1);
        StringBuilder expected = new StringBuilder();
        for (String text : texts) {
            c.append("run(\"").append(escape(text)).append("\");\n");
            for (int i = text.indexOf('/'); i >= 0; i = text.indexOf('/', i + 1)) {
                expected.append(Long.toUnsignedString(hash.hash(text.substring(0, i + 1)))).append(' ');
            }
            expected.append(Long.toUnsignedString(hash.hash(text))).append(' ')
                    .append(Long.toUnsignedString(hash.hash(text))).append('\n');
        }
        c.append("return 0; }\n");
        Files.writeString(dir.resolve("hash.c"), c);
        run(dir, "cc", "-O2", "-I", Path.of("bpf").toAbsolutePath().toString(), "-o", "hash", "hash.c");
        assertEquals(expected.toString(), run(dir, dir.resolve("hash").toString()));
    }

    @Test
    void anotherKeyGivesOtherHashes() {
        assertNotEquals(new KeyedHash(K0, K1).hash("/etc/shadow"), new KeyedHash(K0 + 1, K1).hash("/etc/shadow"));
        assertEquals(new KeyedHash(K0, K1).args(List.of("-l", "/tmp")), new KeyedHash(K0, K1).hash("-l\0/tmp\0"));
    }

    /** The reference vector of SipHash-2-4 (key 00..0f, empty input), as the paper gives it. */
    @Test
    void theReferenceVectorHolds() {
        assertEquals(0x726fdb47dd0e0e31L, new KeyedHash(K0, K1).hash(""));
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            out.append(String.format("\\x%02x\" \"", b & 0xff));
        }
        return out.toString();
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), String.join(" ", command) + ":\n" + output);
        return output;
    }
}
