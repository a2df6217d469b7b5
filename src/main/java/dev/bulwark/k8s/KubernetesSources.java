package dev.bulwark.k8s;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Everything the agent follows on the API server in Kubernetes mode: settings (namespaces, the ConfigMap),
 * this node and its pods, and the policies (controllers, deletions). Created only in Kubernetes mode, so a
 * standalone host builds no Kubernetes client or operator.
 */
@Singleton
public class KubernetesSources {
    @Inject
    ClusterSettingsWatcher clusterSettings;
    @Inject
    NodeWatcher node;
    @Inject
    PodWatcher pods;
    @Inject
    PolicyDeletions deletions;
    @Inject
    Operator operator;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.k8s");

    private volatile boolean syncedOnce;

    /** Starts following; informers retry on their own, so an absent API server holds nothing back. */
    public void start(String nodeName) {
        try {
            clusterSettings.start();
            node.start(nodeName);
            pods.start(nodeName);
            deletions.start();
            operator.start();
            LOG.info("Kubernetes controllers started: policies from the API server");
        } catch (RuntimeException e) {
            LOG.error("Kubernetes controllers could not start (" + e.getMessage() + "); policies from the API"
                    + " server are not followed, the last known rules stay in force");
        }
    }

    /**
     * What readiness says of the API server: null once everything has been listed (and still when the server is
     * away later: the last known rules stay in force), else what the agent still waits for.
     */
    public String waitingFor() {
        if (syncedOnce) {
            return null;
        }
        List<String> waiting = followed().stream().filter(f -> !f.synced()).map(Followed::what).toList();
        if (waiting.isEmpty()) {
            syncedOnce = true;
            return null;
        }
        return "waiting for the API server: " + String.join(", ", waiting);
    }

    /** "watching", or which parts are cut off from the API server now (their last known state applies). */
    public String connection() {
        List<String> away = followed().stream().filter(f -> !f.watching()).map(Followed::what).toList();
        return away.isEmpty() ? "watching" : "reconnecting to the API server (last known state kept): "
                + String.join(", ", away);
    }

    private List<Followed> followed() {
        return List.of(new Followed() {
            @Override
            public String what() {
                return "policies";
            }

            @Override
            public boolean synced() {
                return deletions.synced() && controllers(InformerHealthIndicator::hasSynced);
            }

            @Override
            public boolean watching() {
                return deletions.watching() && controllers(InformerHealthIndicator::isWatching);
            }
        }, clusterSettings, node, pods);
    }

    /** Whether every informer behind the policy controllers passes; false before the operator registered them. */
    private boolean controllers(Predicate<InformerHealthIndicator> test) {
        Set<RegisteredController> registered = operator.getRegisteredControllers();
        return !registered.isEmpty() && registered.stream()
                .flatMap(c -> c.getControllerHealthInfo().informerEventSourceHealthIndicators().values().stream())
                .flatMap(i -> i.informerHealthIndicators().values().stream()).allMatch(test);
    }
}
