package dev.bulwark.enforce;

import dev.bulwark.Eventually;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A container without a runtime: a shell in new pid and mount namespaces that waits for one command line, so
 * its endpoint can be given rules before anything in it runs. Its own shell is PID 1 there.
 */
final class Sandbox implements AutoCloseable {
    private final Process unshare;
    /** Its shell, as the host numbers it. */
    final long pid;
    final KernelIdentity identity;

    Sandbox() throws Exception {
        unshare = new ProcessBuilder("/usr/bin/unshare", "--pid", "--mount", "--fork", "/usr/bin/bash", "-c",
                "read -r line; eval \"$line\"; echo status=$?").redirectErrorStream(true).start();
        pid = awaitChild(unshare.pid());
        identity = KernelIdentity.ofProcess(pid);
    }

    /** This sandbox as a container endpoint of namespace "test", pod "pod-1", container "main". */
    Endpoint endpoint(Map<String, String> labels) {
        return Endpoint.container("test", "pod-1", "main", labels, identity);
    }

    /** Runs the command line in the sandbox and returns what it printed, ending with "status=N". */
    String run(String commandLine) throws IOException {
        try (OutputStream stdin = unshare.getOutputStream()) {
            stdin.write((commandLine + "\n").getBytes());
        }
        return new String(unshare.getInputStream().readAllBytes());
    }

    static long awaitChild(long pid) throws Exception {
        Path children = Path.of("/proc/" + pid + "/task/" + pid + "/children");
        // Up to 30 s: forks are slow under emulation on a busy machine.
        String list = Eventually.poll(Duration.ofSeconds(30), Duration.ofMillis(20), () -> {
            try {
                return Files.exists(children) ? Files.readString(children).strip() : "";
            } catch (IOException gone) {
                return "";
            }
        }, found -> !found.isEmpty());
        if (list.isEmpty()) {
            throw new AssertionError("unshare started no child");
        }
        return Long.parseLong(list.split(" ")[0]);
    }

    @Override
    public void close() {
        unshare.destroyForcibly();
    }
}
