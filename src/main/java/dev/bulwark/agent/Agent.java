package dev.bulwark.agent;

import dev.bulwark.config.AgentMode;
import dev.bulwark.enforce.RuleSetWriter;
import dev.bulwark.identity.RegistrationSocket;
import dev.bulwark.identity.runtime.RuntimeDiscovery;
import dev.bulwark.intake.PolicyIntake;
import dev.bulwark.k8s.KubernetesSources;
import dev.bulwark.monitor.SystemMonitor;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/** The running agent: brings the policy sources up at start, then serves until it is told to stop. */
@Singleton
public class Agent implements QuarkusApplication {
    @Inject
    AgentMode mode;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.agent");
    @Inject
    PolicyDirectory directory;
    @Inject
    RegistrationSocket registration;
    @Inject
    PolicyEngine engine;
    @Inject
    RuleSetWriter writer;
    @Inject
    SystemMonitor monitor;
    @Inject
    RuntimeDiscovery runtimes;
    @Inject
    @Readiness
    AgentReadiness readiness;
    @Inject
    GrpcHealth grpcHealth;
    @Inject
    AgentMetrics metrics;
    @Inject
    Instance<KubernetesSources> kubernetes;
    @Inject
    PolicyIntake intake;
    @Inject
    PolicyServiceGate policyServiceGate;

    void onStart(@Observes StartupEvent started) {
        LOG.info("Bulwark started in " + (mode.kubernetes() ? "Kubernetes" : "standalone") + " mode on host "
                + engine.hostName() + "; rules: " + writer.describe());
        if (mode.kubernetes()) {
            // In the background: an API server that is away must not hold the agent back.
            Thread.ofVirtual().name("operator-start").start(() -> kubernetes.get().start(engine.hostName()));
        }
        grpcHealth.start();
        grpcHealth.serving(GrpcHealth.LOG_SERVICE); // Quarkus has started the gRPC server before this event
        directory.start();
        if (policyServiceGate.served()) {
            intake.restore();
            grpcHealth.serving(GrpcHealth.POLICY_SERVICE);
        } else {
            LOG.info(PolicyServiceGate.SERVICE + " is not served in Kubernetes mode (bulwark.enablePolicyService=true"
                    + " serves it)");
        }
        grpcHealth.serving(GrpcHealth.PROBE_SERVICE);
        engine.refresh();
        monitor.start();
        metrics.registerPrograms();
        registration.start();
        runtimes.start();
        readiness.policiesLoaded();
        grpcHealth.serving(io.grpc.protobuf.services.HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
    }

    @Override
    public int run(String... args) {
        Quarkus.waitForExit();
        return 0;
    }
}
