package dev.bulwark.monitor;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real containerd and dockerd for the monitor tests, started before the agent (no systemd here) with their
 * state under target/, and a tiny image built locally from the static busybox (no registry is reachable):
 * `bulwark/busybox:test` in Docker, and the same image imported into containerd's `k8s.io` namespace.
 * Also writes the policy directory the agent starts with.
 */
public class ContainerDaemons implements QuarkusTestResourceLifecycleManager {
    static final Path ROOT = Path.of("target/daemons").toAbsolutePath();
    static final String CONTAINERD = ROOT.resolve("containerd.sock").toString();
    static final String DOCKER = ROOT.resolve("docker.sock").toString();
    static final String IMAGE = "bulwark/busybox:test";
    /** The pod sandbox image of containerd's CRI plugin: the same busybox, sleeping. */
    static final String PAUSE = "docker.io/bulwark/pause:test";
    static final Path POLICIES = ROOT.resolve("policies");

    private final List<Process> daemons = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        try {
            stopStale();
            Files.createDirectories(ROOT);
            // Its CRI plugin too (for the CRI watcher), with the locally built pause image and no pod network; the
            // sandbox's oom_score_adj of -998 is more than this machine lets even root set.
            Files.writeString(ROOT.resolve("containerd.toml"), """
                    version = 2
                    [plugins."io.containerd.grpc.v1.cri"]
                      sandbox_image = "%s"
                      restrict_oom_score_adj = true
                      [plugins."io.containerd.grpc.v1.cri".cni]
                        conf_dir = "%s"
                    """.formatted(PAUSE, ROOT.resolve("cni")));
            daemons.add(new ProcessBuilder("containerd", "--config", ROOT.resolve("containerd.toml").toString(),
                    "--root", ROOT.resolve("containerd").toString(),
                    "--state", ROOT.resolve("containerd-state").toString(), "--address", CONTAINERD)
                    .redirectErrorStream(true).redirectOutput(ROOT.resolve("containerd.log").toFile()).start());
            await(CONTAINERD);
            daemons.add(new ProcessBuilder("dockerd", "--data-root", ROOT.resolve("docker").toString(),
                    "--exec-root", ROOT.resolve("docker-exec").toString(), "--pidfile",
                    ROOT.resolve("docker.pid").toString(), "-H", "unix://" + DOCKER, "--containerd", CONTAINERD,
                    "--iptables=false", "--bridge=none")
                    .redirectErrorStream(true).redirectOutput(ROOT.resolve("dockerd.log").toFile()).start());
            await(DOCKER);
            buildImage();
            Files.createDirectories(POLICIES);
            for (String name : List.of("container-audit.yaml", "host-audit.yaml")) {
                try (var in = ContainerDaemons.class.getResourceAsStream("/monitor/" + name)) {
                    Files.write(POLICIES.resolve(name), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            stop();
            throw new IllegalStateException(e);
        }
        return Map.of("bulwark.policyDir", POLICIES.toString(), "bulwark.host", "monitor-node");
    }

    private void buildImage() throws IOException, InterruptedException {
        Path rootfs = ROOT.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        for (String applet : List.of("sh", "cat", "sleep", "rm", "touch", "ls", "echo")) {
            Files.deleteIfExists(rootfs.resolve("bin").resolve(applet));
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        String docker = "docker -H unix://" + DOCKER;
        run("sh", "-c", "tar -C " + rootfs + " -cf " + ROOT.resolve("rootfs.tar") + " . && " + docker
                + " import -c 'CMD [\"/bin/sh\"]' " + ROOT.resolve("rootfs.tar") + " " + IMAGE
                + " && " + docker + " import -c 'CMD [\"/bin/sleep\", \"2147483647\"]' " + ROOT.resolve("rootfs.tar")
                + " " + PAUSE + " && " + docker + " save " + IMAGE + " " + PAUSE + " > " + ROOT.resolve("image.tar")
                + " && ctr -a " + CONTAINERD + " -n k8s.io image import " + ROOT.resolve("image.tar"));
    }

    /** Runs a command, failing with its output unless it succeeds; returns its output. */
    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
        return output.strip();
    }

    static String docker(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + DOCKER));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    static String ctr(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ctr", "-a", CONTAINERD, "-n", "k8s.io"));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    private static void await(String socket) throws InterruptedException, IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!Files.exists(Path.of(socket))) {
            if (Instant.now().isAfter(deadline)) {
                throw new IOException(socket + " did not appear; see " + ROOT + "/*.log");
            }
            Thread.sleep(100);
        }
    }

    /** Daemons of an interrupted earlier run would hold the sockets. */
    private static void stopStale() throws IOException, InterruptedException {
        new ProcessBuilder("sh", "-c", "pkill -f 'dockerd --data-root " + ROOT + "'; pkill -f 'containerd --root "
                + ROOT + "'; sleep 0.5").start().waitFor();
        // A fresh state: containers of an earlier run would clash by name.
        new ProcessBuilder("sh", "-c", "umount -R " + ROOT + "/docker/overlay2/*/merged 2>/dev/null; rm -rf " + ROOT)
                .start().waitFor();
    }

    @Override
    public void stop() {
        try {
            new ProcessBuilder("sh", "-c", "docker -H unix://" + DOCKER + " rm -f $(docker -H unix://" + DOCKER
                    + " ps -aq) >/dev/null 2>&1; for t in $(ctr -a " + CONTAINERD + " -n k8s.io task ls -q); do ctr -a "
                    + CONTAINERD + " -n k8s.io task kill -s KILL $t; done; sleep 1").start().waitFor();
        } catch (IOException | InterruptedException e) {
            // best effort: the daemons go next anyway
        }
        for (Process daemon : daemons.reversed()) {
            daemon.destroy();
            try {
                daemon.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
