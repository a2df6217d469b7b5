package dev.bulwark.identity.runtime;

import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The containers one runtime watcher has put into the registry, by runtime id. A container is named by
 * Kubernetes' labels when it belongs to a pod; otherwise, as KubeArmor does, its namespace is
 * "container_namespace" and its pod and container are the container's own name.
 */
final class KnownContainers {
    static final String NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
    static final String POD_LABEL = "io.kubernetes.pod.name";
    static final String CONTAINER_LABEL = "io.kubernetes.container.name";
    static final String DEFAULT_NAMESPACE = "container_namespace";

    private final EndpointRegistry registry;
    private final Map<String, KernelIdentity> known = new ConcurrentHashMap<>();

    KnownContainers(EndpointRegistry registry) {
        this.registry = registry;
    }

    /** Registers (or re-registers) a running container; a restarted one drops its old identity first. */
    void register(String id, String name, String image, Map<String, String> labels, KernelIdentity identity) {
        KernelIdentity previous = known.put(id, identity);
        if (previous != null && !previous.equals(identity)) {
            registry.remove(previous);
        }
        Map<String, String> own = new TreeMap<>(labels == null ? Map.of() : labels);
        String namespace = own.getOrDefault(NAMESPACE_LABEL, DEFAULT_NAMESPACE);
        String pod = own.getOrDefault(POD_LABEL, name);
        String container = own.getOrDefault(CONTAINER_LABEL, name);
        registry.register(Endpoint.container(namespace, pod, container, own, identity).withRuntime(id, image));
    }

    /** The container is gone. */
    void forget(String id) {
        KernelIdentity identity = known.remove(id);
        if (identity != null) {
            registry.remove(identity);
        }
    }
}
