package dev.bulwark.k8s;

import dev.bulwark.identity.EndpointRegistry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;

/** This node's labels, for host policies' nodeSelector: followed as they change. */
@Singleton
public class NodeWatcher {
    @Inject
    KubernetesClient client;
    @Inject
    EndpointRegistry registry;

    private SharedIndexInformer<Node> informer;

    public synchronized void start(String nodeName) {
        informer = Informers.start(client.nodes().withName(nodeName), new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                registry.hostLabels(labels(node));
            }

            @Override
            public void onUpdate(Node before, Node after) {
                registry.hostLabels(labels(after));
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                registry.hostLabels(Map.of());
            }
        });
    }

    private static Map<String, String> labels(Node node) {
        return node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    }

    @PreDestroy
    synchronized void stop() {
        if (informer != null) {
            informer.close();
        }
    }
}
