package dev.bulwark.agent;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.enforce.RuleSetWriter;
import dev.bulwark.identity.RegistrationSocket;
import dev.bulwark.identity.runtime.RuntimeDiscovery;
import dev.bulwark.monitor.SystemMonitor;
import dev.bulwark.telemetry.AgentLog;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.Readiness;

/** The running agent: brings the policy sources up at start, then serves until it is told to stop. */
@Singleton
public class Agent implements QuarkusApplication {
    @Inject
    BulwarkConfig config;
    @Inject
    AgentMode mode;
    @Inject
    AgentLog log;
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
    io.javaoperatorsdk.operator.Operator operator;
    @Inject
    dev.bulwark.k8s.PolicyDeletions deletions;
    @Inject
    dev.bulwark.k8s.PodWatcher pods;
    @Inject
    dev.bulwark.k8s.ClusterSettingsWatcher clusterSettings;
    @Inject
    dev.bulwark.k8s.NodeWatcher node;
    @Inject
    @io.quarkus.grpc.GrpcService
    PolicyApi policyApi;

    void onStart(@Observes StartupEvent started) {
        log.info("Bulwark started in " + (mode.kubernetes() ? "Kubernetes" : "standalone") + " mode on host "
                + engine.hostName() + "; rules: " + writer.describe());
        if (mode.kubernetes()) {
            // Informers retry on their own: an API server that is away must not hold the agent back.
            Thread.ofVirtual().name("operator-start").start(this::startControllers);
        }
        grpcHealth.start();
        grpcHealth.serving(GrpcHealth.LOG_SERVICE); // Quarkus has started the gRPC server before this event
        directory.start();
        policyApi.restore();
        grpcHealth.serving(GrpcHealth.POLICY_SERVICE);
        grpcHealth.serving(GrpcHealth.PROBE_SERVICE);
        engine.refresh();
        monitor.start();
        metrics.registerPrograms();
        registration.start();
        runtimes.start();
        readiness.policiesLoaded();
        grpcHealth.serving(io.grpc.protobuf.services.HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
    }

    private void startControllers() {
        try {
            clusterSettings.start();
            node.start(engine.hostName());
            pods.start(engine.hostName());
            deletions.start();
            operator.start();
            log.info("Kubernetes controllers started: policies from the API server");
        } catch (RuntimeException e) {
            log.error("Kubernetes controllers could not start (" + e.getMessage() + "); policies from the API"
                    + " server are not followed, the last known rules stay in force");
        }
    }

    @Override
    public int run(String... args) {
        Quarkus.waitForExit();
        return 0;
    }
}
