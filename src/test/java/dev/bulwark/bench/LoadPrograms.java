package dev.bulwark.bench;

import dev.bulwark.bpf.Bpf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads a BPF object and attaches all its programs until stdin closes (bench/bpf-cost.sh's empty programs,
 * the floor its measurements are compared with).
 */
public final class LoadPrograms {
    private LoadPrograms() {
    }

    public static void main(String[] args) throws Exception {
        try (Bpf bpf = Bpf.load(Files.readAllBytes(Path.of(args[0])), null, List.of(), Map.of())) {
            System.out.println("attached " + bpf.programStats().keySet());
            System.out.flush();
            System.in.read();
        }
    }
}
