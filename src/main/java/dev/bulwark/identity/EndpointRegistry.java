package dev.bulwark.identity;

import dev.bulwark.config.BulwarkConfig;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The endpoints this node knows: always the host, plus the containers that runtimes (or the registration
 * socket) report. Each change is a CDI {@link EndpointChanged} event, so rules follow containers as they come
 * and go.
 */
@Singleton
public class EndpointRegistry {
    private volatile Endpoint host;
    private final Map<KernelIdentity, Endpoint> containers = new ConcurrentHashMap<>();
    private final Map<String, KernelIdentity> byContainerId = new ConcurrentHashMap<>();
    private final Event<EndpointChanged> changes;

    /**
     * An endpoint appeared, changed, or (removed = true) disappeared. Its observers run in this order, each
     * observer method naming its place with {@code @Priority}: the pod watcher first (it completes a new container
     * from its pod: the labels that select policies), then the policy engine (the endpoint's rules, in the kernel
     * when it returns), then the monitor (its visibility, which depends on those rules, and the events it held
     * for the container).
     */
    public record EndpointChanged(Endpoint endpoint, boolean removed) {
        public static final int POD = 100;
        public static final int RULES = 200;
        public static final int MONITOR = 300;
    }

    @Inject
    public EndpointRegistry(BulwarkConfig config, Event<EndpointChanged> changes) {
        // In a DaemonSet the node's name comes as KubeArmor passes it, unless `host` says otherwise.
        this.host = Endpoint.host(config.hostName(), Map.of());
        this.changes = changes;
    }

    public Endpoint host() {
        return host;
    }

    /**
     * The node as the API server describes it (Kubernetes mode): its labels, which host policies select by besides
     * the host name, and its `kubearmor-policy` annotation (null: enabled).
     */
    public synchronized void hostNode(Map<String, String> nodeLabels, Endpoint.PolicyMode nodePolicy) {
        Endpoint labelled = Endpoint.host(host.hostName(), nodeLabels, nodePolicy);
        if (!labelled.equals(host)) {
            host = labelled;
            changes.fire(new EndpointChanged(labelled, false));
        }
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

    /**
     * A container with these namespaces, as a runtime or hook reports it (again, maybe). Whatever held the
     * identity before is replaced, not merged: the kernel reuses namespace inodes, so a new container may get a
     * dead one's identity before that death is reported. A restarted container leaves its old identity.
     */
    public synchronized void register(Endpoint container) {
        KernelIdentity previous = container.containerId() == null ? null
                : byContainerId.put(container.containerId(), container.identity());
        if (previous != null && !previous.equals(container.identity())) {
            remove(previous, container.containerId());
        }
        Endpoint replaced = containers.put(container.identity(), container);
        if (replaced != null && replaced.containerId() != null
                && !replaced.containerId().equals(container.containerId())) {
            byContainerId.remove(replaced.containerId(), container.identity());
        }
        changes.fire(new EndpointChanged(container, false));
    }

    /**
     * The container with this runtime id has gone; false if it was not known. Its identity is freed only if it
     * still belongs to it: a late death report must not strip a newcomer with reused namespaces of its rules.
     */
    public synchronized boolean removeContainer(String containerId) {
        KernelIdentity identity = byContainerId.remove(containerId);
        if (identity == null) {
            return false;
        }
        remove(identity, containerId);
        return true;
    }

    /** The container with this runtime id, or null. */
    public synchronized Endpoint byContainerId(String containerId) {
        KernelIdentity identity = byContainerId.get(containerId);
        return identity == null ? null : containers.get(identity);
    }


    private void remove(KernelIdentity identity, String containerId) {
        Endpoint current = containers.get(identity);
        if (current != null && Objects.equals(current.containerId(), containerId)) {
            containers.remove(identity);
            changes.fire(new EndpointChanged(current, true));
        }
    }
}
