package dev.bulwark.identity.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Docker through its Engine API on the unix socket (Vert.x HTTP client over epoll): the container event stream
 * first, then the list of running containers, so that none starts unseen in between. Each container is
 * inspected for its init process, labels and image; its namespaces are read from procfs.
 */
public class DockerWatcher implements RuntimeWatcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENTS = "/events?filters="
            + URLEncoder.encode("{\"type\":[\"container\"]}", StandardCharsets.UTF_8);

    private final Vertx vertx;
    private final String socket;
    private final Path procfs;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.identity.runtime");
    private final HttpClient client;
    private final EndpointRegistry registry;
    private volatile boolean closed;

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Event(@JsonProperty("Type") String type, @JsonProperty("Action") String action,
            @JsonProperty("id") String id) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Summary(@JsonProperty("Id") String id) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Inspect(@JsonProperty("Id") String id, @JsonProperty("Name") String name,
            @JsonProperty("State") State state, @JsonProperty("Config") Config config) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record State(@JsonProperty("Pid") long pid, @JsonProperty("Running") boolean running) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Config(@JsonProperty("Image") String image, @JsonProperty("Labels") Map<String, String> labels) {
    }

    public DockerWatcher(Vertx vertx, String socket, Path procfs, EndpointRegistry registry) {
        this.vertx = vertx;
        this.socket = socket;
        this.procfs = procfs;
        this.registry = registry;
        this.client = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(0));
    }

    @Override
    public String describe() {
        return "docker at " + socket;
    }

    @Override
    public void start() {
        if (!vertx.isNativeTransportEnabled()) {
            LOG.error("Docker at " + socket + " cannot be watched: unix sockets need the epoll transport");
            return;
        }
        follow();
    }

    /** The event stream; when it ends (daemon restart), it is opened again and the list read anew. */
    private void follow() {
        if (closed) {
            return;
        }
        client.request(options(EVENTS)).compose(request -> request.send()).onSuccess(response -> {
            RecordParser lines = RecordParser.newDelimited("\n", line -> onEvent(line));
            response.handler(lines);
            response.endHandler(end -> retry());
            response.exceptionHandler(e -> retry());
            listRunning();
        }).onFailure(e -> {
            LOG.warn("Docker events at " + socket + " unavailable: " + e.getMessage() + "; retrying");
            retry();
        });
    }

    private void retry() {
        if (!closed) {
            vertx.setTimer(2_000, id -> follow());
        }
    }

    private void listRunning() {
        get("/containers/json").onSuccess(body -> {
            try {
                for (Summary summary : JSON.readValue(body.getBytes(), Summary[].class)) {
                    inspect(summary.id());
                }
            } catch (IOException e) {
                LOG.warn("Docker container list unreadable: " + e.getMessage());
            }
        });
    }

    private void onEvent(Buffer line) {
        try {
            Event event = JSON.readValue(line.getBytes(), Event.class);
            if (!"container".equals(event.type()) || event.id() == null) {
                return;
            }
            switch (event.action()) {
                case "start" -> inspect(event.id());
                case "die", "destroy" -> registry.removeContainer(event.id());
                default -> {
                }
            }
        } catch (IOException e) {
            LOG.warn("Docker event unreadable: " + e.getMessage());
        }
    }

    private void inspect(String id) {
        get("/containers/" + id + "/json").onSuccess(body -> {
            try {
                Inspect container = JSON.readValue(body.getBytes(), Inspect.class);
                if (container.state() == null || !container.state().running() || container.state().pid() <= 0) {
                    return;
                }
                KernelIdentity identity = KernelIdentity.ofProcess(procfs, container.state().pid());
                String name = container.name() == null ? id : container.name().replaceFirst("^/", "");
                Config config = container.config() == null ? new Config("", Map.of()) : container.config();
                // Not on the event loop: registration waits for the rules to reach the kernel.
                Thread.ofVirtual().start(() -> registry.register(
                        ContainerEndpoints.of(container.id(), name, config.image(), config.labels(), identity)));
            } catch (IOException | RuntimeException e) {
                LOG.warn("Docker container " + id + " not registered: " + e.getMessage());
            }
        });
    }

    private Future<Buffer> get(String uri) {
        return client.request(options(uri)).compose(request -> request.send()).compose(response ->
                response.statusCode() == 200 ? response.body()
                        : Future.failedFuture("HTTP " + response.statusCode() + " for " + uri));
    }

    private RequestOptions options(String uri) {
        return new RequestOptions().setMethod(HttpMethod.GET).setServer(SocketAddress.domainSocketAddress(socket))
                .setHost("localhost").setURI(uri);
    }

    @Override
    public void close() {
        closed = true;
        client.close();
    }

}
