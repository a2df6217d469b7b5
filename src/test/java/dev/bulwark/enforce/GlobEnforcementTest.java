package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * `matchPatterns` globs matched in a real kernel, which upstream's BPF-LSM cannot do: extensions in a directory
 * or anywhere under it, the files of a directory, a whole tree; for files and for programs.
 */
class GlobEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-glob");

    @BeforeEach
    void clean() throws IOException, InterruptedException {
        reset();
        assertEquals(0, run("/usr/bin/rm", "-rf", DIR.toString()));
        for (String file : new String[] {"a.pem", "x/y/z/key.pem", "a.pem.txt", "pem", "x/KEY.PEM", "app/prod.env",
                "app/.env", "app/sub/prod.env", "app/prod.envx", "data/x", "data/sub/x", "tree/a/b/c"}) {
            Files.createDirectories(DIR.resolve(file).getParent());
            Files.writeString(DIR.resolve(file), file);
        }
    }

    void denied(String file) {
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve(file)), file);
    }

    void allowed(String file) throws IOException {
        assertEquals(file, Files.readString(DIR.resolve(file)));
    }

    @Test
    void anExtensionAnywhereUnderADirectory() throws Exception {
        host("{file: {matchPatterns: [{pattern: /tmp/bulwark-glob/**/*.pem}]}, action: Block}", AUDIT);
        denied("a.pem");
        denied("x/y/z/key.pem");
        allowed("a.pem.txt");
        allowed("pem");
        allowed("x/KEY.PEM");
        Alert alert = alert(on(DIR.resolve("x/y/z/key.pem").toString()));
        assertEquals("Block", alert.action());
        assertEquals("lsm=SECURITY_FILE_OPEN", alert.data());
    }

    @Test
    void anExtensionRightInADirectory() throws Exception {
        host("{file: {matchPatterns: [{pattern: /tmp/bulwark-glob/app/*.env}]}, action: Block}", AUDIT);
        denied("app/prod.env");
        denied("app/.env");
        allowed("app/sub/prod.env");
        allowed("app/prod.envx");
    }

    @Test
    void theFilesOfADirectoryAndAWholeTree() throws Exception {
        host("{file: {matchPatterns: [{pattern: /tmp/bulwark-glob/data/*}, {pattern: /tmp/bulwark-glob/tree/**}]},"
                + " action: Block}", AUDIT);
        denied("data/x");
        allowed("data/sub/x");
        denied("tree/a/b/c");
    }

    @Test
    void aReadOnlyPatternLetsReadsThroughAndDeniesWrites() throws Exception {
        host("{file: {matchPatterns: [{pattern: /tmp/bulwark-glob/**/*.pem, readOnly: true}]}, action: Block}", AUDIT);
        allowed("x/y/z/key.pem");
        assertThrows(AccessDeniedException.class, () -> Files.writeString(DIR.resolve("x/y/z/key.pem"), "changed"));
    }

    @Test
    void anAuditedPatternReports() throws Exception {
        host("{file: {matchPatterns: [{pattern: /tmp/bulwark-glob/app/*.env}]}, action: Audit}", AUDIT);
        allowed("app/prod.env");
        Alert alert = alert(on(DIR.resolve("app/prod.env").toString()));
        assertEquals("Audit", alert.action());
        assertEquals("Passed", alert.result());
    }

    @Test
    void aProgramPatternBlocksScriptsOfThatExtension() throws Exception {
        Files.createDirectories(DIR.resolve("bin"));
        Files.copy(Path.of("/usr/bin/true"), DIR.resolve("bin/run.sh"));
        Files.copy(Path.of("/usr/bin/true"), DIR.resolve("bin/run"));
        host("{process: {matchPatterns: [{pattern: /tmp/bulwark-glob/bin/*.sh}]}, action: Block}",
                new Postures(Posture.audit, Posture.audit, Posture.audit));
        assertEquals(126, run("/usr/bin/sh", "-c", DIR.resolve("bin/run.sh").toString()));
        assertEquals(0, run("/usr/bin/sh", "-c", DIR.resolve("bin/run").toString()));
        assertEquals("Process", alert(on(DIR.resolve("bin/run.sh").toString())).operation());
    }
}
