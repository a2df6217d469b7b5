package dev.bulwark.identity.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.identity.runtime.containerd.Container;
import dev.bulwark.identity.runtime.containerd.ContainersGrpc;
import dev.bulwark.identity.runtime.containerd.Envelope;
import dev.bulwark.identity.runtime.containerd.EventsGrpc;
import dev.bulwark.identity.runtime.containerd.GetContainerRequest;
import dev.bulwark.identity.runtime.containerd.ListTasksRequest;
import dev.bulwark.identity.runtime.containerd.Process;
import dev.bulwark.identity.runtime.containerd.SubscribeRequest;
import dev.bulwark.identity.runtime.containerd.TaskDelete;
import dev.bulwark.identity.runtime.containerd.TaskStart;
import dev.bulwark.identity.runtime.containerd.TasksGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * containerd through its own gRPC API on the unix socket: the event stream (task start and delete) and, at
 * start, the running tasks of the namespaces Kubernetes (`k8s.io`) and Docker (`moby`) use. Pod sandboxes are
 * not workloads and are skipped. Each container's labels and image come from the container store, its
 * namespaces from procfs via the task's pid.
 */
public class ContainerdWatcher implements RuntimeWatcher {
    static final List<String> NAMESPACES = List.of("k8s.io", "moby");
    private static final Metadata.Key<String> NAMESPACE =
            Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER);
    private static final String SANDBOX_LABEL = "io.cri-containerd.kind";
    private static final int RUNNING = 2;

    private final String socket;
    private final Path procfs;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.identity.runtime");
    private final UnixSocketChannel unix;
    private final ManagedChannel channel;
    private final EndpointRegistry registry;
    private volatile boolean closed;

    public ContainerdWatcher(String socket, Path procfs, EndpointRegistry registry) {
        this.socket = socket;
        this.procfs = procfs;
        this.registry = registry;
        this.unix = new UnixSocketChannel(socket);
        this.channel = unix.channel;
    }

    @Override
    public String describe() {
        return "containerd at " + socket + " (namespaces " + String.join(", ", NAMESPACES) + ")";
    }

    @Override
    public void start() {
        subscribe();
        Thread.ofPlatform().daemon().name("containerd-list").start(this::listRunning);
    }

    private void subscribe() {
        if (closed) {
            return;
        }
        SubscribeRequest request = SubscribeRequest.newBuilder()
                .addFilters("topic==\"/tasks/start\"").addFilters("topic==\"/tasks/delete\"").build();
        EventsGrpc.newStub(channel).subscribe(request, new StreamObserver<>() {
            @Override
            public void onNext(Envelope envelope) {
                onEvent(envelope);
            }

            @Override
            public void onError(Throwable t) {
                if (!closed) {
                    LOG.warn("containerd events at " + socket + " interrupted: " + t.getMessage() + "; retrying");
                    unix.loop.schedule(ContainerdWatcher.this::subscribe, 2, TimeUnit.SECONDS);
                }
            }

            @Override
            public void onCompleted() {
                onError(new IOException("stream ended"));
            }
        });
    }

    private void onEvent(Envelope envelope) {
        if (!NAMESPACES.contains(envelope.getNamespace())) {
            return;
        }
        try {
            switch (envelope.getTopic()) {
                case "/tasks/start" -> {
                    TaskStart start = TaskStart.parseFrom(envelope.getEvent().getValue());
                    // Not on the gRPC thread: registration waits for the rules to reach the kernel.
                    Thread.ofVirtual().start(() -> register(envelope.getNamespace(), start.getContainerId(),
                            start.getPid()));
                }
                case "/tasks/delete" -> {
                    TaskDelete delete = TaskDelete.parseFrom(envelope.getEvent().getValue());
                    if (delete.getId().isEmpty() || delete.getId().equals(delete.getContainerId())) {
                        registry.removeContainer(delete.getContainerId());
                    }
                }
                default -> {
                }
            }
        } catch (InvalidProtocolBufferException e) {
            LOG.warn("containerd event " + envelope.getTopic() + " unreadable: " + e.getMessage());
        }
    }

    private void listRunning() {
        for (String namespace : NAMESPACES) {
            try {
                for (Process task : TasksGrpc.newBlockingStub(channel).withInterceptors(namespace(namespace))
                        .withDeadlineAfter(10, TimeUnit.SECONDS).list(ListTasksRequest.getDefaultInstance())
                        .getTasksList()) {
                    if (task.getStatus() == RUNNING) {
                        register(namespace, task.getId(), task.getPid());
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("containerd tasks of namespace " + namespace + " not listed: " + e.getMessage());
            }
        }
    }

    private void register(String namespace, String id, long pid) {
        try {
            Container container = ContainersGrpc.newBlockingStub(channel).withInterceptors(namespace(namespace))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .get(GetContainerRequest.newBuilder().setId(id).build()).getContainer();
            if ("sandbox".equals(container.getLabelsMap().get(SANDBOX_LABEL))) {
                return;
            }
            KernelIdentity identity = KernelIdentity.ofProcess(procfs, pid);
            registry.register(ContainerEndpoints.of(id, id, container.getImage(), container.getLabelsMap(), identity));
        } catch (IOException | RuntimeException e) {
            LOG.warn("containerd container " + namespace + "/" + id + " not registered: " + e.getMessage());
        }
    }

    private static io.grpc.ClientInterceptor namespace(String namespace) {
        Metadata headers = new Metadata();
        headers.put(NAMESPACE, namespace);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    @Override
    public void close() {
        closed = true;
        unix.close();
    }
}
