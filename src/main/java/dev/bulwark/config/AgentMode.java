package dev.bulwark.config;

import dev.bulwark.config.BulwarkConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Standalone (policies from a directory and gRPC, host policies always on) or Kubernetes (policies from the
 * API server as well). Kubernetes mode is chosen when `k8s` is on and a cluster is configured: the agent runs
 * in a pod, or an API server URL is given (`quarkus.kubernetes-client.api-server-url`, or fabric8's
 * `kubernetes.master` / `KUBERNETES_MASTER`). Whether the API server
 * answers does not matter: the agent starts either way and catches up when it does.
 */
@Singleton
public class AgentMode {
    private final boolean kubernetes;

    @Inject
    public AgentMode(BulwarkConfig config) {
        this.kubernetes = config.k8s() && (System.getenv("KUBERNETES_SERVICE_HOST") != null
                || System.getenv("KUBERNETES_MASTER") != null
                || ConfigProvider.getConfig().getOptionalValue("kubernetes.master", String.class).isPresent()
                || ConfigProvider.getConfig().getOptionalValue("quarkus.kubernetes-client.api-server-url",
                        String.class).isPresent());
    }

    public boolean standalone() {
        return !kubernetes;
    }

    public boolean kubernetes() {
        return kubernetes;
    }
}
