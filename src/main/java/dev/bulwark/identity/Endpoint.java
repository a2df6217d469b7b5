package dev.bulwark.identity;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bulwark.policy.KubeArmor;
import dev.bulwark.policy.Selectors;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What policies are applied to: one container (of a pod, in a namespace, with labels) or the host itself.
 * For the host, labels are the node's labels plus {@code kubearmor.io/hostname}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Endpoint(Type type, String namespace, String pod, String container, Map<String, String> labels,
        KernelIdentity identity, String containerId, String image, PolicyMode policy, Owner owner) {

    public enum Type { HOST, CONTAINER }

    /**
     * KubeArmor's `kubearmor-policy` annotation of a pod: its containers get no policies (disabled), or every
     * Block of theirs is only audited (audited). Null: enabled.
     */
    public enum PolicyMode { disabled, audited }

    /** The workload a pod belongs to: its top controller (a Deployment rather than its ReplicaSet). */
    public record Owner(String kind, String name, String namespace) {
    }

    public Endpoint {
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    public static Endpoint host(String hostName, Map<String, String> nodeLabels) {
        return host(hostName, nodeLabels, null);
    }

    /** The host as its Node object describes it: labels, and the node's `kubearmor-policy` (null: enabled). */
    public static Endpoint host(String hostName, Map<String, String> nodeLabels, PolicyMode nodePolicy) {
        Map<String, String> labels = new TreeMap<>(nodeLabels);
        labels.put(Selectors.HOSTNAME_LABEL, hostName);
        return new Endpoint(Type.HOST, null, null, null, labels, KernelIdentity.HOST, null, null, nodePolicy, null);
    }

    /** The namespace of a container no pod owns (docker, containerd without Kubernetes), as KubeArmor names it. */
    public static final String STANDALONE_NAMESPACE = KubeArmor.STANDALONE_NAMESPACE;

    public static Endpoint container(String namespace, String pod, String container, Map<String, String> labels,
            KernelIdentity identity) {
        return new Endpoint(Type.CONTAINER, namespace, pod, container, labels, identity, null, null, null, null);
    }

    /**
     * The same container as its pod describes it: namespace, pod and container names, and the pod's labels
     * added to (and taking precedence over) those the runtime reported.
     */
    public Endpoint withPod(String podNamespace, String podName, String containerName, Map<String, String> podLabels,
            PolicyMode podPolicy, Owner podOwner) {
        Map<String, String> merged = new TreeMap<>(labels);
        merged.putAll(podLabels);
        return new Endpoint(type, podNamespace, podName, containerName, merged, identity, containerId, image, podPolicy,
                podOwner);
    }

    /** The same container as its runtime knows it: its id and image. */
    public Endpoint withRuntime(String containerId, String image) {
        return new Endpoint(type, namespace, pod, container, labels, identity, containerId, image, policy, owner);
    }

    @JsonIgnore
    public boolean isHost() {
        return type == Type.HOST;
    }

    /** "host NAME" or "container NAMESPACE/POD/CONTAINER", for messages. */
    public String describe() {
        return isHost() ? "host " + hostName() : "container " + namespace + "/" + pod + "/" + container;
    }

    @JsonIgnore
    public String hostName() {
        return labels.get(Selectors.HOSTNAME_LABEL);
    }
}
