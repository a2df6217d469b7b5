package dev.bulwark.k8s;

import dev.bulwark.telemetry.AgentLog;
import io.javaoperatorsdk.operator.Operator;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

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
    @Inject
    AgentLog log;

    /** Starts following; informers retry on their own, so an absent API server holds nothing back. */
    public void start(String nodeName) {
        try {
            clusterSettings.start();
            node.start(nodeName);
            pods.start(nodeName);
            deletions.start();
            operator.start();
            log.info("Kubernetes controllers started: policies from the API server");
        } catch (RuntimeException e) {
            log.error("Kubernetes controllers could not start (" + e.getMessage() + "); policies from the API"
                    + " server are not followed, the last known rules stay in force");
        }
    }
}
