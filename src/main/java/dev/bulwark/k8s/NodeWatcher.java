package dev.bulwark.k8s;

import dev.bulwark.identity.EndpointRegistry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * This node, followed as it changes: its labels for host policies' nodeSelector, its `kubearmor-policy`
 * annotation for whether they apply.
 */
@Singleton
public class NodeWatcher extends InformerWatcher {
    @Inject
    KubernetesClient client;
    @Inject
    EndpointRegistry registry;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.k8s");

    public synchronized void start(String nodeName) {
        inform(client.nodes().withName(nodeName), new ResourceEventHandler<>() {
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
                PolicyAnnotation.of(node));
    }

    @Override
    public String what() {
        return "this node";
    }
}
