package dev.bulwark.agent;

import dev.bulwark.enforce.RuleSetWriter;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the kernel side has been chosen (BPF-LSM or audit-only), the policy sources have been read and
 * every endpoint has its rule set, and the gRPC services are serving; says which of these it waits for.
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

    private volatile boolean policiesLoaded;

    void policiesLoaded() {
        policiesLoaded = true;
    }

    @Override
    public HealthCheckResponse call() {
        boolean grpcServing = grpc.serving();
        return HealthCheckResponse.named("bulwark")
                .status(policiesLoaded && grpcServing)
                .withData("policies", policiesLoaded ? "loaded" : "waiting for the policy sources")
                .withData("grpc", grpcServing ? "serving" : "waiting for the gRPC services")
                .withData("policyCount", store.all().size())
                .withData("rules", writer.describe())
                .build();
    }
}
