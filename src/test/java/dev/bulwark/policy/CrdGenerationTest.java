package dev.bulwark.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRDs under src/main/resources/crds are generated from the Java model; this test regenerates them and
 * fails when the committed copies differ. Run with -Dbulwark.crds.update=true to rewrite them.
 */
class CrdGenerationTest {
    /** The one committed copy: the validator's schema, and the Helm chart's (its crds/ links here). */
    static final List<Path> COMMITTED = List.of(Path.of("src/main/resources/crds"));

    @Test
    void committedCrdsAreGeneratedFromTheModel(@TempDir Path out) throws IOException {
        new CRDGenerator()
                .customResourceClasses(KubeArmorPolicy.class, KubeArmorHostPolicy.class, KubeArmorClusterPolicy.class)
                .forCRDVersions("v1")
                .inOutputDir(out.toFile())
                .generate();
        List<Path> generated;
        try (Stream<Path> files = Files.list(out)) {
            generated = files.sorted().toList();
        }
        assertEquals(3, generated.size(), "one CRD per kind");
        boolean update = Boolean.getBoolean("bulwark.crds.update");
        for (Path crd : generated) {
            String text = Files.readString(crd);
            for (Path dir : COMMITTED) {
                Path committed = dir.resolve(crd.getFileName().toString());
                if (update) {
                    Files.createDirectories(dir);
                    Files.writeString(committed, text);
                }
                assertTrue(Files.exists(committed), committed + " is missing: run with -Dbulwark.crds.update=true");
                assertEquals(Files.readString(committed), text, committed + " differs from the model");
            }
        }
    }
}
