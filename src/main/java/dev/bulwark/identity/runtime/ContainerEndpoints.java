package dev.bulwark.identity.runtime;

import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a runtime's container becomes an endpoint. It is named by Kubernetes' labels when it belongs to a pod;
 * otherwise, as KubeArmor does, its namespace is "container_namespace" and its pod and container are the
 * container's own name.
 */
final class ContainerEndpoints {
    static final String NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
    static final String POD_LABEL = "io.kubernetes.pod.name";
    static final String CONTAINER_LABEL = "io.kubernetes.container.name";
    static final String DEFAULT_NAMESPACE = Endpoint.STANDALONE_NAMESPACE;

    private ContainerEndpoints() {
    }

    static Endpoint of(String id, String name, String image, Map<String, String> labels, KernelIdentity identity) {
        Map<String, String> own = new TreeMap<>(labels == null ? Map.of() : labels);
        String namespace = own.getOrDefault(NAMESPACE_LABEL, DEFAULT_NAMESPACE);
        String pod = own.getOrDefault(POD_LABEL, name);
        String container = own.getOrDefault(CONTAINER_LABEL, name);
        return Endpoint.container(namespace, pod, container, own, identity).withRuntime(id, image);
    }
}
