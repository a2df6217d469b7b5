package dev.bulwark.identity.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.identity.runtime.cri.Container;
import dev.bulwark.identity.runtime.cri.ContainerFilter;
import dev.bulwark.identity.runtime.cri.ContainerState;
import dev.bulwark.identity.runtime.cri.ContainerStateValue;
import dev.bulwark.identity.runtime.cri.ContainerStatusRequest;
import dev.bulwark.identity.runtime.cri.ContainerStatusResponse;
import dev.bulwark.identity.runtime.cri.ListContainersRequest;
import dev.bulwark.identity.runtime.cri.RuntimeServiceGrpc.RuntimeServiceBlockingStub;
import dev.bulwark.identity.runtime.cri.RuntimeServiceGrpc;
import dev.bulwark.identity.runtime.cri.VersionRequest;
import dev.bulwark.identity.runtime.cri.VersionResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Any runtime that serves the Kubernetes CRI (`runtime.v1`): CRI-O, containerd's CRI plugin, others. CRI has
 * no event stream every runtime implements, so the running containers are listed every {@link #POLL_MILLIS}
 * and compared with the last list: a new one is looked up (ContainerStatus, verbose, for its pid) and
 * registered, a vanished one removed. CRI lists workload containers only; pod sandboxes never appear.
 */
public class CriWatcher implements RuntimeWatcher {
    static final long POLL_MILLIS = 250;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String socket;
    private final Path procfs;
    private final EndpointRegistry registry;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.identity.runtime");
    private final UnixSocketChannel unix;
    private final ScheduledExecutorService poller =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("cri-poll").factory());
    /** Running containers of the last list, registered or not (a failed lookup is not retried every poll). */
    private final Set<String> running = new HashSet<>();
    /** Whether the last poll reached the runtime: problems are reported once, not every poll. */
    private boolean connected;
    private boolean warned;

    public CriWatcher(String socket, Path procfs, EndpointRegistry registry) {
        this.socket = socket;
        this.procfs = procfs;
        this.registry = registry;
        this.unix = new UnixSocketChannel(socket);
    }

    @Override
    public String describe() {
        return "CRI runtime at " + socket;
    }

    @Override
    public void start() {
        poller.scheduleWithFixedDelay(this::poll, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private RuntimeServiceBlockingStub runtime() {
        return RuntimeServiceGrpc.newBlockingStub(unix.channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    private void poll() {
        try {
            if (!connected) {
                VersionResponse version = runtime().version(VersionRequest.newBuilder().setVersion("v1").build());
                LOG.info("CRI runtime at " + socket + ": " + version.getRuntimeName() + " "
                        + version.getRuntimeVersion() + " (" + version.getRuntimeApiVersion() + ")");
                connected = true;
                warned = false;
            }
            ListContainersRequest request = ListContainersRequest.newBuilder().setFilter(ContainerFilter.newBuilder()
                    .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING))).build();
            Set<String> now = new HashSet<>();
            for (Container container : runtime().listContainers(request).getContainersList()) {
                now.add(container.getId());
                if (!running.contains(container.getId())) {
                    register(container);
                }
            }
            for (String gone : running) {
                if (!now.contains(gone)) {
                    registry.removeContainer(gone);
                }
            }
            running.clear();
            running.addAll(now);
        } catch (RuntimeException e) {
            // Known containers stay registered: a runtime restart does not stop them.
            if (connected || !warned) {
                LOG.warn("CRI runtime at " + socket + " unavailable: " + e.getMessage() + "; retrying");
                warned = true;
            }
            connected = false;
        }
    }

    private void register(Container container) {
        String id = container.getId();
        try {
            ContainerStatusResponse status = runtime().containerStatus(
                    ContainerStatusRequest.newBuilder().setContainerId(id).setVerbose(true).build());
            long pid = JSON.readTree(status.getInfoOrDefault("info", "{}")).path("pid").asLong();
            if (pid <= 0) {
                throw new IOException("the runtime reported no pid (ContainerStatus info.pid)");
            }
            KernelIdentity identity = KernelIdentity.ofProcess(procfs, pid);
            String image = status.getStatus().getImage().getImage();
            registry.register(ContainerEndpoints.of(id, container.getMetadata().getName(),
                    image.isEmpty() ? container.getImageRef() : image, container.getLabelsMap(), identity));
        } catch (IOException | RuntimeException e) {
            LOG.warn("CRI container " + id + " not registered: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        unix.close();
    }
}
