package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.agent.EndpointFileSystems;
import dev.bulwark.compile.PolicySelection;
import dev.bulwark.compile.RuleCompiler;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.policy.Posture;
import dev.bulwark.policy.TestPolicies;
import dev.bulwark.settings.Postures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a path in a rule means: files without a path (pipes, sockets, eventfds, memfds) are no files to file
 * rules, yet stay programs to process rules; and a policy path means what the user sees, through symlinked
 * directories (usrmerge's /bin), ".." and "." included.
 */
class PathNameEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-pathnames");
    static final String SECRET = DIR.resolve("real/secret").toString();
    /** Writes to a pipe, a socket pair, an eventfd and a memfd; prints what failed, or "ok". */
    static final Path PSEUDO = DIR.resolve("pseudo.py");
    static final String WRITE_PSEUDO = "/usr/bin/python3 " + PSEUDO;

    @BeforeAll
    void scripts() throws IOException {
        Files.createDirectories(DIR);
        Files.writeString(PSEUDO, """
                import os, socket
                failed = []
                pair = socket.socketpair()
                for name, make in [('pipe', lambda: os.pipe()[1]), ('socket', lambda: pair[0].fileno()),
                                   ('eventfd', lambda: os.eventfd(0)), ('memfd', lambda: os.memfd_create('x'))]:
                    try:
                        fd = make()
                        os.write(fd, b'\\x01\\0\\0\\0\\0\\0\\0\\0')
                    except OSError as e:
                        failed.append(name + ':' + e.strerror)
                print(' '.join(failed) or 'ok')
                """);
    }

    @BeforeEach
    void clean() throws IOException, InterruptedException {
        reset();
        sh("/usr/bin/rm -rf " + DIR + "/real " + DIR + "/link");
        Files.createDirectories(DIR.resolve("real"));
        Files.writeString(Path.of(SECRET), "data\n");
        Files.setPosixFilePermissions(Path.of(SECRET), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(DIR.resolve("link"), DIR.resolve("real"));
    }

    @Test
    void aFileAllowListDoesNotDenyPipesAndSockets() throws Exception {
        String allowList = "{file: {matchDirectories: [{dir: /usr/, recursive: true, readOnly: true},"
                + " {dir: /etc/, recursive: true, readOnly: true}, {dir: /proc/, recursive: true},"
                + " {dir: /dev/, recursive: true}, {dir: " + DIR + "/, readOnly: true}]}, action: Allow}";
        String output = inSandbox(allowList, new Postures(Posture.block, Posture.audit, Posture.audit),
                sandbox -> sandbox.run(WRITE_PSEUDO + "; echo piped | /usr/bin/cat; /usr/bin/cat " + SECRET));
        assertTrue(output.startsWith("ok\npiped\n"), "pipes, sockets, eventfds, memfds are written: " + output);
        assertTrue(output.contains("Permission denied") && output.endsWith("status=1\n"),
                "a file the list does not name is still denied: " + output);
    }

    @Test
    void aRuleOnTheRootDirectoryConcernsFilesOnly() throws Exception {
        host("{file: {matchDirectories: [{dir: /, recursive: true, readOnly: true, fromSource: [{path: "
                + OTHER_PYTHON + "}]}]}, action: Block}", AUDIT);
        assertEquals("ok", python(OTHER_PYTHON, PSEUDO).getFirst(), "writes to files without a path pass");
        assertTrue(run(OTHER_PYTHON, "-c", "open('" + DIR.resolve("real/new") + "', 'w')") != 0,
                "a file anywhere is written under the rule: denied");
    }

    @Test
    void aProgramWithoutAPathIsStillJudgedByAnAllowList() throws Exception {
        String allowList = "{process: {matchPaths: [{path: /usr/bin/python3.11}, {path: /usr/bin/true}]},"
                + " action: Allow}";
        String output = inSandbox(allowList, new Postures(Posture.block, Posture.audit, Posture.audit),
                sandbox -> sandbox.run(each("/usr/bin/true", PresetEnforcementTest.MEMFD_EXEC)));
        assertTrue(output.contains("r0=0 r1=1"), "a memfd is not allowed by the list: " + output);
    }

    @Test
    void usrmergeAliasesMeanTheSameProgram() throws Exception {
        assertEquals(Path.of("/usr/bin"), Path.of("/bin").toRealPath(), "this guest's /bin is /usr/bin");
        resolved("{process: {matchPaths: [{path: /bin/od}]}, action: Block}");
        assertEquals(126, sh("/usr/bin/od --version; exit $?"), "/bin/od is the file /usr/bin/od");
        assertEquals(126, sh("/bin/od --version; exit $?"));
        assertEquals(0, sh("/bin/true"));
    }

    @Test
    void aSourceThroughASymlinkedDirectoryIsTheProgram() throws Exception {
        resolved("{file: {matchPaths: [{path: " + SECRET + ", fromSource: [{path: /bin/cat}]}]}, action: Block}");
        assertEquals(1, sh("/usr/bin/cat " + SECRET));
        assertEquals(0, sh("/usr/bin/head " + SECRET));
    }

    @Test
    void aPathThroughASymlinkedDirectoryAndDotsIsTheFile() throws Exception {
        resolved("{file: {matchPaths: [{path: " + DIR + "/link/../link/./secret}]}, action: Block}");
        assertEquals(1, sh("/usr/bin/cat " + SECRET), "the file itself");
        assertEquals(1, sh("/usr/bin/cat " + DIR + "/link/secret"), "through the link");
        Files.writeString(DIR.resolve("real/public"), "data\n");
        assertEquals(0, sh("/usr/bin/cat " + DIR + "/link/public"));
    }

    /** Applies a host policy compiled as the agent compiles it, paths resolved on this file system. */
    RuleSet resolved(String spec) {
        var policy = TestPolicies.read("KubeArmorHostPolicy", "lsm-test", "",
                "{nodeSelector: {matchLabels: {kubearmor.io/hostname: '*'}}, " + spec.substring(1));
        RuleSet ruleSet = RuleCompiler.compile(HOST, PolicySelection.applicable(List.of(policy), HOST),
                new RuleCompiler.Options(AUDIT, true, new EndpointFileSystems(Path.of("/proc")).resolver(HOST)));
        enforcer.apply(ruleSet);
        return ruleSet;
    }
}
