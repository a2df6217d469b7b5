package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.GlobCases;
import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AppArmor's glob grammar in a real kernel, on the table GlobCasesTest holds user space to: for each pattern, as a
 * file Block (the JVM's own reads are denied exactly where the pattern matches) and as an Allow in a sandbox
 * under posture block (its reads go through exactly where it matches). Then a program pattern, and the
 * directories a pattern depends on (renames).
 */
class GlobGrammarEnforcementTest extends KernelScenarios {
    static final Path ROOT = Path.of("/tmp/bwg");
    /** What a sandbox must read to run at all under an allow list. */
    static final String SYSTEM = "{pattern: '/usr/**'}, {pattern: '/lib/**'}, {pattern: '/lib64/**'},"
            + " {pattern: '/etc/**'}, {pattern: '/proc/**'}, {pattern: '/dev/**'}, {pattern: '/bin/**'}";

    @BeforeEach
    void files() throws IOException, InterruptedException {
        reset();
        assertEquals(0, run("/usr/bin/rm", "-rf", ROOT.toString(), "/tmp/bwgx"));
        for (GlobCases.Case c : GlobCases.all()) {
            Path file = Path.of(c.path());
            Files.createDirectories(file.getParent());
            Files.writeString(file, c.path());
        }
    }

    @Test
    void eachPatternBlocksExactlyWhatItMatches() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, List<GlobCases.Case>> pattern : GlobCases.byPattern().entrySet()) {
            host("{file: {matchPatterns: [{pattern: '" + pattern.getKey() + "'}]}, action: Block}", AUDIT);
            for (GlobCases.Case c : pattern.getValue()) {
                boolean denied;
                try {
                    Files.readString(Path.of(c.path()));
                    denied = false;
                } catch (AccessDeniedException e) {
                    denied = true;
                }
                if (denied != c.matches()) {
                    wrong.add(pattern.getKey() + " on " + c.path() + (denied ? " denied" : " allowed"));
                }
            }
        }
        reset();
        assertEquals(List.of(), wrong);
    }

    @Test
    void eachPatternAllowsExactlyWhatItMatches() throws Exception {
        Postures block = new Postures(Posture.block, Posture.audit, Posture.audit);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, List<GlobCases.Case>> pattern : GlobCases.byPattern().entrySet()) {
            String reads = pattern.getValue().stream()
                    .map(c -> "cat '" + c.path() + "' >/dev/null 2>&1 && echo 'read " + c.path() + "' || echo 'denied "
                            + c.path() + "'").collect(Collectors.joining("; "));
            String out = inSandbox("{file: {matchPatterns: [" + SYSTEM + ", {pattern: '" + pattern.getKey()
                    + "'}]}, action: Allow}", block, sandbox -> sandbox.run(reads));
            for (GlobCases.Case c : pattern.getValue()) {
                String expected = (c.matches() ? "read " : "denied ") + c.path();
                if (!out.lines().toList().contains(expected)) {
                    wrong.add(pattern.getKey() + ": expected " + expected + " in " + out);
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void aProgramPatternBlocksTheProgramsItMatches() throws Exception {
        Files.copy(Path.of("/usr/bin/true"), ROOT.resolve("bin/apt-run"));
        Files.copy(Path.of("/usr/bin/true"), ROOT.resolve("bin/xapt-run"));
        host("{process: {matchPatterns: [{pattern: '/tmp/bwg/bin/apt*'}]}, action: Block}", AUDIT);
        assertEquals(126, run("/usr/bin/sh", "-c", ROOT.resolve("bin/apt-run").toString()));
        assertEquals(0, run("/usr/bin/sh", "-c", ROOT.resolve("bin/xapt-run").toString()));
        assertEquals("Process", alert(on(ROOT.resolve("bin/apt-run").toString())).operation());
    }

    /**
     * The attack: move a directory the pattern depends on (.ssh, the home above it, anything under a literal
     * prefix) elsewhere and read the key under its new name. The legitimate use: rename the directories a pattern
     * does not depend on (beside .ssh; what a leading `**` absorbs), and the file is still matched after it.
     */
    @Test
    void theDirectoriesAPatternDependsOnCannotBeMovedAway() throws Exception {
        host("{file: {matchPatterns: [{pattern: '/tmp/bwg/home/*/.ssh/**'}]}, action: Block}", AUDIT);
        assertTrue(run("/usr/bin/mv", "/tmp/bwg/home/alice/.ssh", "/tmp/bwg/home/alice/moved") != 0,
                "renaming .ssh is denied");
        assertTrue(run("/usr/bin/mv", "/tmp/bwg/home/alice", "/tmp/alice") != 0, "moving the home away is denied");
        assertTrue(run("/usr/bin/mv", "/tmp/bwg/home", "/tmp/bwg/home2") != 0, "moving /home is denied");
        assertEquals(0, run("/usr/bin/mkdir", "-p", "/tmp/bwg/home/alice/other"));
        assertEquals(0, run("/usr/bin/mv", "/tmp/bwg/home/alice/other", "/tmp/bwg/home/alice/other2"),
                "a directory beside .ssh can be renamed");

        Files.createDirectories(Path.of("/tmp/bwgx/a/b/c"));
        Files.writeString(Path.of("/tmp/bwgx/a/b/c/bwg-secret"), "secret");
        host("{file: {matchPatterns: [{pattern: '/**/bwg-secret'}]}, action: Block}", AUDIT);
        assertEquals(0, run("/usr/bin/mv", "/tmp/bwgx/a/b", "/tmp/bwgx/b2"), "what ** absorbs can be moved");
        assertThrows(AccessDeniedException.class,
                () -> Files.readString(Path.of("/tmp/bwgx/b2/c/bwg-secret")), "and is still matched");
        reset();
    }
}
