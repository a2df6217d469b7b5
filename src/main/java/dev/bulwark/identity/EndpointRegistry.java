package dev.bulwark.identity;

import dev.bulwark.config.BulwarkConfig;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The endpoints this node knows: always the host, plus the containers that runtimes (or the registration
 * socket) report. Each change is a CDI {@link EndpointChanged} event, so rules follow containers as they come
 * and go.
 */
@Singleton
public class EndpointRegistry {
    private final Endpoint host;
    private final Map<KernelIdentity, Endpoint> containers = new ConcurrentHashMap<>();
    private final Event<EndpointChanged> changes;

    /** An endpoint appeared, changed, or (removed = true) disappeared. */
    public record EndpointChanged(Endpoint endpoint, boolean removed) {
    }

    @Inject
    public EndpointRegistry(BulwarkConfig config, Event<EndpointChanged> changes) {
        this.host = Endpoint.host(config.host().orElseGet(HostName::local), Map.of());
        this.changes = changes;
    }

    public Endpoint host() {
        return host;
    }

    public List<Endpoint> all() {
        List<Endpoint> all = new ArrayList<>();
        all.add(host);
        all.addAll(containers.values());
        return all;
    }

    /** The endpoint with this kernel identity: the host, a known container, or null. */
    public Endpoint find(KernelIdentity identity) {
        return identity.isHost() ? host : containers.get(identity);
    }

    public void register(Endpoint container) {
        containers.put(container.identity(), container);
        changes.fire(new EndpointChanged(container, false));
    }

    public void remove(KernelIdentity identity) {
        Endpoint gone = containers.remove(identity);
        if (gone != null) {
            changes.fire(new EndpointChanged(gone, true));
        }
    }
}
