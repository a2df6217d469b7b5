package dev.bulwark.k8s;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The pods of this node, so a container the runtime reports is known by its pod: namespace, pod and container
 * names, and the pod's labels (which the runtime does not have, and policies select by). Whichever comes
 * first, the pod or the container, the endpoint is completed as soon as both are known.
 *
 * <p>A container is matched to its pod by the pod's namespace and name, which the kubelet gives every container
 * (labels, or CRI annotations in a hook's OCI state), or else by its id in the pod's status. The names come
 * with the container itself, while the kubelet posts the id only after the container has started: matching by
 * name is what lets a hook's registration carry the pod's labels, so its rules hold from the first exec.
 */
@Singleton
public class PodWatcher extends InformerWatcher {
    /** Labels Kubernetes adds for its own bookkeeping, never meant for selection (as KubeArmor drops them). */
    static final List<String> BOOKKEEPING_LABELS =
            List.of("pod-template-hash", "controller-revision-hash", "pod-template-generation");

    @Inject
    KubernetesClient client;
    @Inject
    EndpointRegistry registry;
    @Inject
    BulwarkConfig config;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.k8s");

    /** What a pod says of its containers. */
    private record PodInfo(String namespace, String name, Map<String, String> labels, Endpoint.PolicyMode policy,
            Endpoint.Owner owner, Map<String, String> containerNamesById) {
        String key() {
            return namespace + "/" + name;
        }
    }

    private final Map<String, PodInfo> byName = new ConcurrentHashMap<>();
    private final Map<String, PodInfo> byContainerId = new ConcurrentHashMap<>();

    public synchronized void start(String nodeName) {
        var pods = client.pods().inAnyNamespace();
        inform(config.podFieldSelector() ? pods.withField("spec.nodeName", nodeName) : pods,
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
                        forget(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
                    }
                });
    }

    /** A container the runtime reported: completed from its pod if the pod is known already (Kubernetes mode). */
    void onEndpoint(@Observes(notifyObserver = Reception.IF_EXISTS) @Priority(EndpointRegistry.EndpointChanged.POD)
            EndpointRegistry.EndpointChanged change) {
        Endpoint endpoint = change.endpoint();
        if (!change.removed() && !endpoint.isHost()) {
            complete(endpoint);
        }
    }

    private static boolean onThisNode(Pod pod, String nodeName) {
        return pod.getSpec() != null && nodeName.equals(pod.getSpec().getNodeName());
    }

    private void learn(Pod pod) {
        Map<String, String> labels = new TreeMap<>(pod.getMetadata().getLabels() == null ? Map.of()
                : pod.getMetadata().getLabels());
        BOOKKEEPING_LABELS.forEach(labels::remove);
        Map<String, String> containers = new TreeMap<>();
        statuses(pod).stream().filter(status -> !containerId(status).isEmpty())
                .forEach(status -> containers.put(containerId(status), status.getName()));
        PodInfo info = new PodInfo(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), labels,
                PolicyAnnotation.of(pod), owner(pod), containers);
        forget(info.key());
        byName.put(info.key(), info);
        containers.keySet().forEach(id -> byContainerId.put(id, info));
        registry.all().stream().filter(endpoint -> !endpoint.isHost() && info.equals(podOf(endpoint)))
                .forEach(this::complete);
    }

    private void forget(String podKey) {
        PodInfo gone = byName.remove(podKey);
        if (gone != null) {
            gone.containerNamesById().keySet().forEach(id -> byContainerId.remove(id, gone));
        }
    }

    /** The pod a container belongs to: by the id in a pod's status, else by the names the kubelet gave it. */
    private PodInfo podOf(Endpoint endpoint) {
        PodInfo byId = endpoint.containerId() == null ? null : byContainerId.get(endpoint.containerId());
        return byId != null ? byId : byName.get(endpoint.namespace() + "/" + endpoint.pod());
    }

    private void complete(Endpoint endpoint) {
        PodInfo pod = podOf(endpoint);
        if (pod == null) {
            return;
        }
        String container = endpoint.containerId() == null ? null
                : pod.containerNamesById().get(endpoint.containerId());
        Endpoint completed = endpoint.withPod(pod.namespace(), pod.name(), container != null ? container
                : endpoint.container(), pod.labels(), pod.policy(), pod.owner());
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

    @Override
    public String what() {
        return "pods of this node";
    }
}
