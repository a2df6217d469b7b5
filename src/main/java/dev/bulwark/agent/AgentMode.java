package dev.bulwark.agent;

import dev.bulwark.config.BulwarkConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Standalone (policies from a directory, host policies always on) or Kubernetes. Kubernetes mode needs the
 * controllers of a later milestone; until they exist the agent runs standalone and says so.
 */
@Singleton
public class AgentMode {
    private final boolean clusterDetected;

    @Inject
    public AgentMode(BulwarkConfig config) {
        this.clusterDetected = config.k8s() && System.getenv("KUBERNETES_SERVICE_HOST") != null;
    }

    public boolean standalone() {
        return true;
    }

    /** Whether the agent runs inside a cluster it cannot serve yet (reported once at start). */
    public boolean clusterDetected() {
        return clusterDetected;
    }
}
