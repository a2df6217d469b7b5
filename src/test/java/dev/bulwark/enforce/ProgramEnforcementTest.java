package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Running a program is judged however it is run: through the dynamic loader (which then is not the source of
 * what the program does), by mapping its code executable, and, as before, through shebangs, symlinks, execveat
 * and /proc/self/fd.
 */
class ProgramEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-programs");
    static final String LOADER = "/lib64/ld-linux-x86-64.so.2";
    static final String OD = DIR.resolve("od").toString();
    static final String SECRET = DIR.resolve("secret").toString();
    static final String PROGRAM_BLOCK = "{process: {matchPaths: [{path: " + OD + "}]}, action: Block}";
    /** Maps the file (argument 1) with the protection given (argument 2: r, rx, r+x for mprotect later). */
    static final Path MAP = DIR.resolve("map.py");

    @BeforeAll
    void files() throws IOException {
        Files.createDirectories(DIR);
        Files.writeString(MAP, LIBC + """
                libc.mmap.restype = ctypes.c_void_p
                libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
                libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
                fd = os.open(sys.argv[1], os.O_RDONLY)
                how = sys.argv[2]
                prot = 1 | (4 if how == 'rx' else 0)
                address = libc.mmap(None, 4096, prot, 2, fd, 0)  # MAP_PRIVATE
                if address == ctypes.c_void_p(-1).value:
                    print(errno.errorcode[ctypes.get_errno()])
                elif how == 'r+x' and libc.mprotect(address, 4096, 1 | 4) < 0:
                    print(errno.errorcode[ctypes.get_errno()])
                else:
                    print('ok')
                """);
    }

    @BeforeEach
    void clean() throws IOException, InterruptedException {
        reset();
        sh("/usr/bin/rm -f " + DIR + "/od " + DIR + "/true " + DIR + "/link " + DIR + "/script " + SECRET);
        Files.copy(Path.of("/usr/bin/od"), Path.of(OD));
        Files.copy(Path.of("/usr/bin/true"), DIR.resolve("true"));
        Files.writeString(Path.of(SECRET), "data\n");
        for (Path file : new Path[] {Path.of(OD), DIR.resolve("true")}) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void theDynamicLoaderRunsNoBlockedProgram() throws Exception {
        host(PROGRAM_BLOCK, AUDIT);
        assertTrue(sh(LOADER + " " + OD + " --version") != 0, "the loader cannot map a blocked program's code");
        Alert alert = alert(on(OD));
        assertEquals("lsm=MMAP_FILE", alert.data());
        assertEquals("Block", alert.action());
        assertEquals(0, sh(LOADER + " /usr/bin/true"), "the loader runs other programs");
    }

    @Test
    void aProgramRunByTheLoaderIsItsOwnSource() throws Exception {
        host("{file: {matchPaths: [{path: " + SECRET + ", fromSource: [{path: /usr/bin/cat}]}]}, action: Block}",
                AUDIT);
        assertEquals(1, sh(LOADER + " /usr/bin/cat " + SECRET), "cat, whoever loaded it");
        assertEquals("/usr/bin/cat", alert(on(SECRET)).source());
        assertEquals(0, sh(LOADER + " /usr/bin/head " + SECRET), "another program is not cat");
    }

    @Test
    void anAllowListCannotBeEscapedThroughAnAllowedLoader() throws Exception {
        String loader = Path.of(LOADER).toRealPath().toString();
        // This JVM starts its children through its jspawnhelper, then bash.
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        host("{process: {matchPaths: [{path: " + loader + "}, {path: /usr/bin/true}, {path: /usr/bin/bash}],"
                + " matchDirectories: [{dir: " + javaHome + "/, recursive: true}]}, action: Allow}",
                new Postures(Posture.block, Posture.audit, Posture.audit));
        assertEquals(0, sh(LOADER + " /usr/bin/true"), "an allowed program through the allowed loader");
        assertTrue(sh(LOADER + " " + OD + " --version") != 0, "a program the list does not allow");
        Alert alert = alert(on(OD));
        assertEquals("DefaultPosture", alert.policyName());
    }

    @Test
    void mappingABlockedProgramsCodeExecutableIsDenied() throws Exception {
        host(PROGRAM_BLOCK, AUDIT);
        assertEquals("EACCES", python("/usr/bin/python3", MAP, OD, "rx").getFirst(), "mmap with PROT_EXEC");
        assertEquals("EACCES", python("/usr/bin/python3", MAP, OD, "r+x").getFirst(), "mprotect adding PROT_EXEC");
        assertEquals("ok", python("/usr/bin/python3", MAP, OD, "r").getFirst(), "reading it is no run");
        assertEquals("ok", python("/usr/bin/python3", MAP, DIR.resolve("true").toString(), "rx").getFirst(),
                "another program's code maps");
    }

    /** The ways to run a program that were judged before: the blocked one never runs, the other always. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "shebang  | printf '#!%s\\n' PROGRAM > SCRIPT && chmod +x SCRIPT && SCRIPT",
            "symlink  | ln -sf PROGRAM LINK && LINK --version",
            "execveat | /usr/bin/python3 -c \"import os; fd = os.open('PROGRAM', os.O_RDONLY); os.execve(fd, ['x'], {})\"",
            "procfd   | /usr/bin/python3 -c \"import os; fd = os.open('PROGRAM', os.O_RDONLY); os.execv('/proc/self/fd/%d' % fd, ['x'])\"",
    })
    void everyWayToRunAProgramIsJudged(String way, String command) throws Exception {
        host(PROGRAM_BLOCK, AUDIT);
        String line = command.replace("SCRIPT", DIR + "/script").replace("LINK", DIR + "/link");
        assertTrue(sh(line.replace("PROGRAM", OD)) != 0, way + ": the blocked program");
        assertEquals(OD, alert(on(OD)).resource());
        sh("/usr/bin/rm -f " + DIR + "/script " + DIR + "/link");
        assertEquals(0, sh(line.replace("PROGRAM", DIR.resolve("true").toString())), way + ": another program");
    }
}
