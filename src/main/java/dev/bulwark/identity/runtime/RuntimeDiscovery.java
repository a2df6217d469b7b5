package dev.bulwark.identity.runtime;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.identity.EndpointRegistry;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Finds the node's container runtime: `criSocket` when set, else the first socket of KubeArmor's list that
 * exists. Docker and containerd are followed through their own APIs (events, no polling); any other socket,
 * CRI-O's among them, through the CRI, as is any socket when `containerRuntime=cri`. Standalone hosts without a runtime simply watch none.
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
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.identity.runtime");
    @Inject
    Vertx vertx;

    private RuntimeWatcher watcher;

    public synchronized void start() {
        Optional<String> socket = config.criSocket().map(s -> s.replaceFirst("^unix://", ""))
                .or(() -> SOCKETS.stream().filter(s -> Files.exists(Path.of(s))).findFirst());
        if (socket.isEmpty()) {
            LOG.info("No container runtime socket found (" + String.join(", ", SOCKETS) + "): watching the host only");
            return;
        }
        watcher = watcherFor(socket.get());
        watcher.start();
        LOG.info("Watching containers of " + watcher.describe());
    }

    private RuntimeWatcher watcherFor(String socket) {
        String name = Path.of(socket).getFileName().toString();
        BulwarkConfig.RuntimeApi api = config.containerRuntime();
        if (api == BulwarkConfig.RuntimeApi.auto) {
            api = name.contains("docker") ? BulwarkConfig.RuntimeApi.docker
                    : name.contains("containerd") ? BulwarkConfig.RuntimeApi.containerd : BulwarkConfig.RuntimeApi.cri;
        }
        return switch (api) {
            case docker -> new DockerWatcher(vertx, socket, config.procfsPath(), registry);
            case containerd -> new ContainerdWatcher(socket, config.procfsPath(), registry);
            case cri, auto -> new CriWatcher(socket, config.procfsPath(), registry);
        };
    }

    @PreDestroy
    synchronized void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
