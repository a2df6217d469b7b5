package dev.bulwark.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.identity.ContainerRegistration.OciState;
import dev.bulwark.identity.ContainerRegistration.Request;
import dev.bulwark.identity.ContainerRegistration.Response;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The unix socket through which containers are registered before their first exec (OCI-hook style): one JSON
 * request per connection, one JSON response once the registry (and so the kernel) has the container. Bad
 * requests get an error response and change nothing.
 */
@Singleton
public class RegistrationSocket {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Requests are a few hundred bytes; anything near this is not a registration. */
    private static final int MAX_REQUEST = 1 << 20;

    @Inject
    BulwarkConfig config;
    @Inject
    EndpointRegistry registry;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.identity");

    private ServerSocketChannel server;
    private Thread thread;

    public void start() {
        Path socket = config.registrationSocket();
        try {
            Files.createDirectories(socket.getParent());
            Files.deleteIfExists(socket);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            LOG.error("Container registration socket " + socket + " unavailable: " + e.getMessage());
            return;
        }
        thread = Thread.ofPlatform().daemon().name("container-registration").start(this::serve);
        LOG.info("Containers register at " + socket);
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                Response response = handle(read(Channels.newInputStream(client)));
                OutputStream out = Channels.newOutputStream(client);
                out.write(JSON.writeValueAsBytes(response));
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("Container registration connection failed: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.error("Container registration failed: " + e);
            }
        }
    }

    private static byte[] read(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_REQUEST);
        return Arrays.copyOf(bytes, bytes.length);
    }

    /** Decodes and applies one request; every problem becomes an error response. */
    Response handle(byte[] body) {
        Request request;
        try {
            request = JSON.readValue(body, Request.class);
        } catch (IOException e) {
            return Response.error("request: not a JSON registration: " + e.getMessage());
        }
        if (request.state() == null || request.state().id() == null || request.state().id().isBlank()) {
            return Response.error("state.id: required");
        }
        return switch (request.op() == null ? "" : request.op()) {
            case "create" -> create(request.state());
            case "delete" -> delete(request.state());
            default -> Response.error("op: must be create or delete, not " + request.op());
        };
    }

    private Response create(OciState state) {
        if (state.pid() == null || state.pid() <= 0) {
            return Response.error("state.pid: required, the container's init process");
        }
        KernelIdentity identity;
        try {
            identity = KernelIdentity.ofProcess(state.pid());
        } catch (IOException | RuntimeException e) {
            return Response.error("state.pid: cannot read the namespaces of process " + state.pid() + ": "
                    + e.getMessage());
        }
        Map<String, String> annotations = state.annotations() == null ? Map.of() : state.annotations();
        Map<String, String> labels = new HashMap<>();
        String list = annotations.getOrDefault(ContainerRegistration.LABELS, "");
        for (String pair : list.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                labels.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            } else if (!pair.isBlank()) {
                return Response.error("state.annotations." + ContainerRegistration.LABELS + ": " + pair
                        + " is not key=value");
            }
        }
        Endpoint endpoint = Endpoint.container(
                named(annotations, ContainerRegistration.NAMESPACE, ContainerRegistration.CRI_NAMESPACE, "default"),
                named(annotations, ContainerRegistration.POD, ContainerRegistration.CRI_POD, state.id()),
                named(annotations, ContainerRegistration.CONTAINER, ContainerRegistration.CRI_CONTAINER, state.id()),
                labels, identity).withRuntime(state.id(), annotations.getOrDefault(ContainerRegistration.CRI_IMAGE, ""));
        registry.register(endpoint); // synchronous: the rule set is in the kernel when this returns
        return Response.ok("registered " + endpoint.describe() + " as " + identity);
    }

    /** The kubelet's name for the container (CRI-O's annotation, else containerd's), else the fallback. */
    private static String named(Map<String, String> annotations, String kubelet, String containerd, String fallback) {
        return annotations.getOrDefault(kubelet, annotations.getOrDefault(containerd, fallback));
    }

    private Response delete(OciState state) {
        if (!registry.removeContainer(state.id())) {
            return Response.error("state.id: no container " + state.id() + " is registered");
        }
        return Response.ok("removed " + state.id());
    }

    @PreDestroy
    void stop() throws IOException {
        if (server != null) {
            server.close();
            Files.deleteIfExists(config.registrationSocket());
        }
    }
}
