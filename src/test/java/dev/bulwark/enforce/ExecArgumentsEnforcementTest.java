package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * allowedArgs in a real kernel: an Allow for a program holds only for its exact arguments (recorded at the
 * exec system call, compared at the LSM decision, and compared again with the arguments the kernel copied into
 * the new program once the exec is committed). In a sandbox, since an allow list with posture block denies
 * every other program.
 */
class ExecArgumentsEnforcementTest extends KernelScenarios {
    static final Postures PROCESS_BLOCK =
            new Postures(Posture.block, Posture.audit, Posture.audit);
    static final String LONG = "a".repeat(300);

    static final Path DIR = Path.of("/tmp/bulwark-args");

    /**
     * argv[1]: an argument. A 64-bit exec with the allowed arguments fails after its system call recorded them;
     * then a 32-bit exec (int 0x80, which no syscall tracepoint sees) runs /usr/bin/echo with argv[1]. Prints
     * the errno name if that exec fails; if it succeeds, echo prints the argument.
     */
    static final String EXEC32 = LIBC + """
            import mmap, struct
            try:
                os.execv('/nonexistent/echo', ['echo', 'hello'])
            except OSError:
                pass
            libc.mmap.restype = ctypes.c_void_p
            libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
            mem = libc.mmap(None, 4096, 7, 0x22 | 0x40, -1, 0)  # rwx, private anonymous, MAP_32BIT
            def put(at, data):
                ctypes.memmove(mem + at, data, len(data))
            put(0, b'/usr/bin/echo\\0'); put(64, b'echo\\0'); put(96, sys.argv[1].encode() + b'\\0')
            put(256, struct.pack('<III', mem + 64, mem + 96, 0))
            # push rbx; mov eax, 11 (execve); mov ebx, path; mov ecx, argv; xor edx, edx; int 0x80; pop rbx; ret
            put(512, b'\\x53\\xb8\\x0b\\x00\\x00\\x00\\xbb' + struct.pack('<I', mem) + b'\\xb9' + struct.pack('<I', mem + 256)
                + b'\\x31\\xd2\\xcd\\x80\\x5b\\xc3')
            ret = ctypes.CFUNCTYPE(ctypes.c_int)(mem + 512)()
            print(errno.errorcode.get(-ret, str(ret)), flush=True)
            """;

    /**
     * argv[1]: attempts. Each child runs /usr/bin/echo with one argument while another thread of it flips that
     * argument between "hello" and "evil!"; prints how often each outcome came ({"hello": 12, "killed": 3}...).
     */
    static final String RACE = LIBC + """
            import threading
            outcomes = {}
            for attempt in range(int(sys.argv[1])):
                r, w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(r); os.dup2(w, 1)
                    arg = ctypes.create_string_buffer(b'hello', 8)
                    def flip():
                        while True:
                            ctypes.memmove(arg, b'evil!', 5)
                            ctypes.memmove(arg, b'hello', 5)
                    threading.Thread(target=flip, daemon=True).start()
                    argv = (ctypes.c_char_p * 3)(b'echo', ctypes.cast(arg, ctypes.c_char_p), None)
                    libc.execve(b'/usr/bin/echo', argv, None)
                    os.write(1, b'denied\\n')
                    os._exit(0)
                os.close(w)
                out = b''
                while True:
                    more = os.read(r, 64)
                    if not more:
                        break
                    out += more
                os.close(r)
                _, status = os.waitpid(pid, 0)
                key = out.decode().strip() or ('killed' if os.WIFSIGNALED(status) else 'nothing')
                outcomes[key] = outcomes.get(key, 0) + 1
            print(outcomes)
            """;

    @BeforeAll
    void scripts() throws IOException {
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve("exec32.py"), EXEC32);
        Files.writeString(DIR.resolve("race.py"), RACE);
    }

    @BeforeEach
    void clean() {
        reset();
    }

    /** A sandbox where python3.11 may run and /usr/bin/echo only with "hello". */
    String withEchoHello(String commandLine) throws Exception {
        return inSandbox("{process: {matchPaths: [{path: /usr/bin/echo, allowedArgs: [hello]}, {path: " + PYTHON
                + "}]}, action: Allow}", PROCESS_BLOCK, sandbox -> sandbox.run(commandLine));
    }

    /** The attack: arguments recorded by a failed exec are not those of a later exec no tracepoint saw. */
    @Test
    void aThirtyTwoBitExecDoesNotInheritTheArgumentsOfAFailedOne() throws Exception {
        String output = withEchoHello(PYTHON + " " + DIR.resolve("exec32.py") + " evil");
        assertFalse(output.contains("evil"), output);
        assertTrue(output.contains("EACCES"), output);
    }

    /**
     * The attack: another thread rewrites the argument between the system call and the kernel's copy. Whatever
     * the timing, echo never prints "evil!"; the legitimate runs (the copy saw "hello") still print "hello".
     */
    @Test
    void argumentsRewrittenDuringTheExecNeverRun() throws Exception {
        String output = withEchoHello(PYTHON + " " + DIR.resolve("race.py") + " 30");
        assertFalse(output.contains("evil"), output);
        assertTrue(output.contains("'hello'"), output);
        System.out.println("allowedArgs race, outcomes: " + output.strip());
    }

    /** Runs the command line in a sandbox where /usr/bin/echo is allowed with these arguments only. */
    String withAllowedArgs(String allowedArgs, Postures postures, String commandLine) throws Exception {
        return inSandbox("{process: {matchPaths: [{path: /usr/bin/echo, allowedArgs: " + allowedArgs + "}]},"
                + " action: Allow}", postures, sandbox -> sandbox.run(commandLine));
    }

    @Test
    void onlyTheListedArgumentsAreAllowed() throws Exception {
        String output = withAllowedArgs("[hello, 'big world']", PROCESS_BLOCK, "/usr/bin/echo hello 'big world'; echo a=$?;"
                + " /usr/bin/echo hello; echo b=$?; /usr/bin/echo hello 'big world' again; echo c=$?;"
                + " /usr/bin/echo 'big world' hello; echo d=$?; /usr/bin/true; echo e=$?");
        assertTrue(output.contains("hello big world\na=0"), output);
        for (String denied : new String[] {"b=126", "c=126", "d=126", "e=126"}) {
            assertTrue(output.contains(denied), denied + " in " + output);
        }
        Alert alert = alert(on("/usr/bin/echo"));
        assertEquals("DefaultPosture", alert.policyName());
        assertEquals("Block", alert.action());
    }

    @Test
    void anArgumentTooLongToCompareFailsClosed() throws Exception {
        String output = withAllowedArgs("['" + LONG + "']", PROCESS_BLOCK, "/usr/bin/echo " + LONG + " > /dev/null;"
                + " echo long=$?");
        assertTrue(output.contains("long=126"), output);
        assertTrue(notes.stream().anyMatch(n -> n.contains("never matches (fail closed)")), notes.toString());
    }

    @Test
    void otherArgumentsUnderPostureAuditAreReportedAndRun() throws Exception {
        String output = withAllowedArgs("[hello]", AUDIT, "/usr/bin/echo goodbye; echo status=$?");
        assertTrue(output.contains("goodbye\nstatus=0"), output);
        Alert alert = alert(on("/usr/bin/echo"));
        assertEquals("DefaultPosture", alert.policyName());
        assertEquals("Audit", alert.action());
        assertEquals("MatchedPolicy", alert.type());
    }
}
