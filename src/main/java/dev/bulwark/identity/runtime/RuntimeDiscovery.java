package dev.bulwark.identity.runtime;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.telemetry.AgentLog;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds the node's container runtime: `criSocket` when set, else the first socket of KubeArmor's list that
 * exists; the socket's name tells the runtime. Standalone hosts without a runtime simply watch none.
 */
@Singleton
public class RuntimeDiscovery {
    /** KubeArmor's search list, in its order of preference. */
    static final List<String> SOCKETS = List.of(
            "/var/run/docker.sock", "/run/docker.sock",
            "/var/snap/microk8s/common/run/containerd.sock", "/run/k3s/containerd/containerd.sock",
            "/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock",
            "/var/run/crio/crio.sock", "/run/crio/crio.sock");

    @Inject
    BulwarkConfig config;
    @Inject
    EndpointRegistry registry;
    @Inject
    AgentLog log;
    @Inject
    Vertx vertx;

    private RuntimeWatcher watcher;

    public synchronized void start() {
        Optional<String> socket = config.criSocket().map(s -> s.replaceFirst("^unix://", ""))
                .or(() -> SOCKETS.stream().filter(s -> Files.exists(Path.of(s))).findFirst());
        if (socket.isEmpty()) {
            log.info("No container runtime socket found (" + String.join(", ", SOCKETS) + "): watching the host only");
            return;
        }
        watcher = watcherFor(socket.get());
        if (watcher == null) {
            log.error("bulwark.criSocket: " + socket.get() + " names no runtime Bulwark knows (docker, containerd)");
            return;
        }
        watcher.start();
        log.info("Watching containers of " + watcher.describe());
    }

    private RuntimeWatcher watcherFor(String socket) {
        String name = Path.of(socket).getFileName().toString();
        if (name.contains("docker")) {
            return new DockerWatcher(vertx, socket, config.procfsPath(), registry, log);
        }
        if (name.contains("containerd")) {
            return new ContainerdWatcher(socket, config.procfsPath(), registry, log);
        }
        return null;
    }

    @PreDestroy
    synchronized void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
