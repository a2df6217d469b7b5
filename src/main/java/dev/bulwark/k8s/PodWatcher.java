package dev.bulwark.k8s;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.telemetry.AgentLog;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods of this node, so a container the runtime reports is known by its pod: namespace, pod and container
 * names, and the pod's labels (which the runtime does not have, and policies select by). Whichever comes
 * first, the pod or the container, the endpoint is completed as soon as both are known.
 */
@Singleton
public class PodWatcher {
    /** Labels Kubernetes adds for its own bookkeeping, never meant for selection (as KubeArmor drops them). */
    static final String POLICY_ANNOTATION = "kubearmor-policy";
    static final List<String> BOOKKEEPING_LABELS =
            List.of("pod-template-hash", "controller-revision-hash", "pod-template-generation");

    @Inject
    KubernetesClient client;
    @Inject
    EndpointRegistry registry;
    @Inject
    BulwarkConfig config;
    @Inject
    AgentLog log;

    private record PodContainer(String namespace, String pod, String container, Map<String, String> labels,
            Endpoint.PolicyMode policy, Endpoint.Owner owner) {
    }

    private final Map<String, PodContainer> byContainerId = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;

    public synchronized void start(String nodeName) {
        var pods = client.pods().inAnyNamespace();
        informer = Informers.start(config.podFieldSelector() ? pods.withField("spec.nodeName", nodeName) : pods,
                new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        if (onThisNode(pod, nodeName)) {
                            learn(pod);
                        }
                    }

                    @Override
                    public void onUpdate(Pod before, Pod after) {
                        if (onThisNode(after, nodeName)) {
                            learn(after);
                        }
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        statuses(pod).forEach(status -> byContainerId.remove(containerId(status)));
                    }
                });
    }

    /** A container the runtime reported: completed from its pod if the pod is known already (Kubernetes mode). */
    void onEndpoint(@Observes(notifyObserver = Reception.IF_EXISTS) EndpointRegistry.EndpointChanged change) {
        Endpoint endpoint = change.endpoint();
        if (!change.removed() && !endpoint.isHost() && endpoint.containerId() != null) {
            complete(endpoint.containerId());
        }
    }

    private static boolean onThisNode(Pod pod, String nodeName) {
        return pod.getSpec() != null && nodeName.equals(pod.getSpec().getNodeName());
    }

    private void learn(Pod pod) {
        Map<String, String> labels = new TreeMap<>(pod.getMetadata().getLabels() == null ? Map.of()
                : pod.getMetadata().getLabels());
        BOOKKEEPING_LABELS.forEach(labels::remove);
        Endpoint.PolicyMode policy = policyMode(pod);
        Endpoint.Owner owner = owner(pod);
        for (ContainerStatus status : statuses(pod)) {
            String id = containerId(status);
            if (!id.isEmpty()) {
                byContainerId.put(id, new PodContainer(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                        status.getName(), labels, policy, owner));
                complete(id);
            }
        }
    }

    private void complete(String containerId) {
        PodContainer pod = byContainerId.get(containerId);
        Endpoint endpoint = registry.byContainerId(containerId);
        if (pod == null || endpoint == null) {
            return;
        }
        Endpoint completed = endpoint.withPod(pod.namespace(), pod.pod(), pod.container(), pod.labels(),
                pod.policy(), pod.owner());
        if (!completed.equals(endpoint)) {
            registry.register(completed);
        }
    }

    /**
     * The pod's top controller, as KubeArmor names it: a ReplicaSet made by a Deployment is reported as the
     * Deployment (its name less the pod-template-hash suffix), a Job made by a CronJob likewise; others as they
     * are. A pod without a controller owns itself (kind Pod).
     */
    static Endpoint.Owner owner(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        var controller = pod.getMetadata().getOwnerReferences() == null ? null : pod.getMetadata().getOwnerReferences()
                .stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
        if (controller == null) {
            return new Endpoint.Owner("Pod", pod.getMetadata().getName(), namespace);
        }
        String hash = pod.getMetadata().getLabels() == null ? null
                : pod.getMetadata().getLabels().get("pod-template-hash");
        if (controller.getKind().equals("ReplicaSet") && hash != null && controller.getName().endsWith("-" + hash)) {
            return new Endpoint.Owner("Deployment",
                    controller.getName().substring(0, controller.getName().length() - hash.length() - 1), namespace);
        }
        if (controller.getKind().equals("Job") && controller.getName().matches(".+-\\d{8,}")) {
            return new Endpoint.Owner("CronJob", controller.getName().replaceFirst("-\\d{8,}$", ""), namespace);
        }
        return new Endpoint.Owner(controller.getKind(), controller.getName(), namespace);
    }

    /** The pod's `kubearmor-policy` annotation: enabled (null), disabled or audited; anything else is said. */
    private Endpoint.PolicyMode policyMode(Pod pod) {
        String value = pod.getMetadata().getAnnotations() == null ? null
                : pod.getMetadata().getAnnotations().get(POLICY_ANNOTATION);
        if (value == null || value.equals("enabled")) {
            return null;
        }
        try {
            return Endpoint.PolicyMode.valueOf(value);
        } catch (IllegalArgumentException e) {
            log.warn("pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + ": annotation "
                    + POLICY_ANNOTATION + ": must be enabled, disabled or audited, not '" + value
                    + "'; policies stay enabled");
            return null;
        }
    }

    private static List<ContainerStatus> statuses(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of()
                : pod.getStatus().getContainerStatuses();
    }

    /** "containerd://abc", "docker://abc", "cri-o://abc": the runtime's id, abc. */
    static String containerId(ContainerStatus status) {
        String id = status.getContainerID() == null ? "" : status.getContainerID();
        int scheme = id.indexOf("://");
        return scheme < 0 ? id : id.substring(scheme + 3);
    }

    @PreDestroy
    synchronized void stop() {
        if (informer != null) {
            informer.close();
        }
    }
}
