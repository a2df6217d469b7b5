package dev.bulwark.agent;

import dev.bulwark.config.AgentMode;
import dev.bulwark.enforce.RuleSetWriter;
import dev.bulwark.intake.PolicyStore;
import dev.bulwark.k8s.KubernetesSources;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the kernel side has been chosen (BPF-LSM or audit-only), the policy sources have been read and
 * every endpoint has its rule set, the gRPC services are serving and, in Kubernetes mode, the API server's
 * policies, pods, node and settings have been listed once; says which of these it waits for. An API server that
 * goes away later leaves the agent ready: the last known rules stay in force, and readiness says so.
 */
@Readiness
@Singleton
public class AgentReadiness implements HealthCheck {
    @Inject
    PolicyStore store;
    @Inject
    RuleSetWriter writer;
    @Inject
    GrpcHealth grpc;
    @Inject
    AgentMode mode;
    @Inject
    Instance<KubernetesSources> kubernetes;

    private volatile boolean policiesLoaded;

    void policiesLoaded() {
        policiesLoaded = true;
    }

    @Override
    public HealthCheckResponse call() {
        boolean grpcServing = grpc.serving();
        String apiServerWait = mode.kubernetes() ? kubernetes.get().waitingFor() : null;
        HealthCheckResponseBuilder response = HealthCheckResponse.named("bulwark")
                .status(policiesLoaded && grpcServing && apiServerWait == null)
                .withData("policies", policiesLoaded ? "loaded" : "waiting for the policy sources")
                .withData("grpc", grpcServing ? "serving" : "waiting for the gRPC services");
        if (mode.kubernetes()) {
            response.withData("kubernetes", apiServerWait != null ? apiServerWait : kubernetes.get().connection());
        }
        return response.withData("policyCount", store.all().size()).withData("rules", writer.describe()).build();
    }
}
