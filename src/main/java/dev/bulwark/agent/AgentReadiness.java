package dev.bulwark.agent;

import dev.bulwark.enforce.RuleSetWriter;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the policy sources have been read and every endpoint has its rule set; says what it waits for. */
@Readiness
@Singleton
public class AgentReadiness implements HealthCheck {
    @Inject
    PolicyStore store;
    @Inject
    RuleSetWriter writer;

    private volatile boolean policiesLoaded;

    void policiesLoaded() {
        policiesLoaded = true;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("bulwark")
                .status(policiesLoaded)
                .withData("policies", policiesLoaded ? "loaded" : "waiting for the policy sources")
                .withData("policyCount", store.all().size())
                .withData("rules", writer.describe())
                .build();
    }
}
