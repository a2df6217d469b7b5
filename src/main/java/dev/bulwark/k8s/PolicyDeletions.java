package dev.bulwark.k8s;

import dev.bulwark.intake.PolicyIntake;
import dev.bulwark.intake.PolicySource.ApiObject;
import dev.bulwark.policy.PolicyKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Deleted policies leave the store. The reconcilers see creations and changes; a deletion reaches no
 * reconciler without a finalizer (QOSDK 7.7 does not pass `triggerReconcilerOnAllEvents` on), and a finalizer
 * is wrong for a DaemonSet whose every agent would hold the object. So one informer per kind reports
 * deletions, including those missed while the API server was away (reported when it relists).
 */
@Singleton
public class PolicyDeletions extends InformerWatcher {
    @Inject
    KubernetesClient client;
    @Inject
    PolicyIntake intake;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.k8s");

    public synchronized void start() {
        for (PolicyKind kind : PolicyKind.values()) {
            if (kind.namespaced()) {
                inform(client.resources(kind.resourceClass()).inAnyNamespace(), handler(kind));
            } else {
                inform(client.resources(kind.resourceClass()), handler(kind));
            }
        }
    }

    private <R extends HasMetadata> ResourceEventHandler<R> handler(PolicyKind kind) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(R resource) {
            }

            @Override
            public void onUpdate(R before, R after) {
            }

            @Override
            public void onDelete(R resource, boolean finalStateUnknown) {
                String qualified = PolicyReconciler.qualifiedName(kind, resource);
                intake.withdraw(new ApiObject(kind, qualified));
                LOG.info("Deleted " + kind + " " + qualified + " (API server)");
            }
        };
    }

    @Override
    public String what() {
        return "policy deletions";
    }
}
