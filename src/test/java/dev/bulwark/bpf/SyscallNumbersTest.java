package dev.bulwark.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.policy.Syscall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Syscall numbers are one table, {@link Syscall} (the ordinal is the x86-64 number): it is the kernel's own
 * (the UAPI header), and the numbers the BPF programs define are the table's.
 */
class SyscallNumbersTest {
    static final Path UAPI = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");

    static Map<String, Integer> defines(Path file, String prefix) throws IOException {
        Map<String, Integer> numbers = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^#define " + prefix + "(\\w+)\\s+(\\d+)").matcher(Files.readString(file));
        while (m.find()) {
            numbers.put(m.group(1).toLowerCase(Locale.ROOT), Integer.parseInt(m.group(2)));
        }
        return numbers;
    }

    @Test
    void theTableIsTheKernels() throws IOException {
        assertTrue(Files.exists(UAPI), UAPI + " (linux-libc-dev) is needed to check the table");
        Map<String, Integer> kernel = defines(UAPI, "__NR_");
        for (Syscall call : Syscall.values()) {
            assertEquals(kernel.get(call.name()), call.ordinal(), call.name());
        }
    }

    @Test
    void theProgramsDefineTheTablesNumbers() throws IOException {
        Map<String, Integer> monitor = defines(Path.of("bpf/monitor.bpf.c"), "SYS_");
        Map<String, Integer> enforcer = new TreeMap<>();
        try (Stream<Path> parts = Files.list(Path.of("bpf/enforcer"))) {
            for (Path part : parts.toList()) {
                enforcer.putAll(defines(part, "NR_"));
            }
        }
        assertTrue(monitor.size() >= 20 && enforcer.size() >= 2, monitor + " " + enforcer);
        monitor.forEach((name, number) -> assertEquals(Syscall.valueOf(name).ordinal(), number, "monitor.bpf.c SYS_" + name));
        enforcer.forEach((name, number) -> assertEquals(Syscall.valueOf(name).ordinal(), number, "bpf/enforcer/ NR_" + name));
    }
}
