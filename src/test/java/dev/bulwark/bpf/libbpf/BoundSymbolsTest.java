package dev.bulwark.bpf.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * jextract/symbols.txt lists what the binding binds (jextract's --include-function arguments): each libbpf
 * function has one holder class in {@link Libbpf}, named after it, with its downcall HANDLE. Reading the
 * compiled classes (not the source) keeps the list true to what is bound; nothing here needs libbpf loaded.
 */
class BoundSymbolsTest {
    @Test
    void symbolsTxtListsExactlyTheBoundFunctions() throws IOException {
        Set<String> listed = Files.readAllLines(Path.of("jextract/symbols.txt")).stream()
                .filter(line -> line.startsWith("--include-function "))
                .map(line -> line.substring("--include-function ".length()).strip())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> bound = Arrays.stream(Libbpf.class.getDeclaredClasses())
                .filter(holder -> Arrays.stream(holder.getDeclaredFields())
                        .anyMatch(field -> field.getName().equals("HANDLE") && field.getType() == MethodHandle.class))
                .map(Class::getSimpleName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(bound, listed, "jextract/symbols.txt and the functions Libbpf binds");
    }
}
