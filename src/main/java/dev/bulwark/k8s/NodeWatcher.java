package dev.bulwark.k8s;

import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.telemetry.AgentLog;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * This node, followed as it changes: its labels for host policies' nodeSelector, its `kubearmor-policy`
 * annotation for whether they apply.
 */
@Singleton
public class NodeWatcher implements Followed {
    @Inject
    KubernetesClient client;
    @Inject
    EndpointRegistry registry;
    @Inject
    AgentLog log;

    private SharedIndexInformer<Node> informer;

    public synchronized void start(String nodeName) {
        informer = Informers.start(client.nodes().withName(nodeName), new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                follow(node);
            }

            @Override
            public void onUpdate(Node before, Node after) {
                follow(after);
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                registry.hostNode(Map.of(), null);
            }
        });
    }

    private void follow(Node node) {
        registry.hostNode(node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels(),
                PolicyAnnotation.of(node, log));
    }

    @Override
    public String what() {
        return "this node";
    }

    @Override
    public synchronized boolean synced() {
        return Followed.synced(informer == null ? java.util.List.of() : java.util.List.of(informer));
    }

    @Override
    public synchronized boolean watching() {
        return Followed.watching(informer == null ? java.util.List.of() : java.util.List.of(informer));
    }

    @PreDestroy
    synchronized void stop() {
        if (informer != null) {
            informer.close();
        }
    }
}
