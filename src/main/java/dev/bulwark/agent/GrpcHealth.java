package dev.bulwark.agent;

import dev.bulwark.config.BulwarkConfig;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The standard gRPC health service (`grpc.health.v1.Health`) on its own port (`grpcHealthPort`, 32766), as
 * KubeArmor serves it: each service name turns SERVING as it comes up, and the empty name once all have.
 */
@Singleton
public class GrpcHealth {
    static final String LOG_SERVICE = "feeder.LogService";
    static final String POLICY_SERVICE = "policy.PolicyService";
    static final String PROBE_SERVICE = "policy.ProbeService";

    @Inject
    BulwarkConfig config;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.agent");

    private final HealthStatusManager health = new HealthStatusManager();
    private Server server;
    private volatile boolean allServing;

    void start() {
        for (String service : new String[] {LOG_SERVICE, POLICY_SERVICE, PROBE_SERVICE,
                HealthStatusManager.SERVICE_NAME_ALL_SERVICES}) {
            health.setStatus(service, ServingStatus.NOT_SERVING);
        }
        try {
            server = NettyServerBuilder.forPort(config.grpcHealthPort()).addService(health.getHealthService())
                    .build().start();
        } catch (IOException e) {
            LOG.error("gRPC health service cannot listen on port " + config.grpcHealthPort()
                    + " (bulwark.grpcHealthPort): " + e.getMessage());
        }
    }

    void serving(String service) {
        health.setStatus(service, ServingStatus.SERVING);
        if (service.equals(HealthStatusManager.SERVICE_NAME_ALL_SERVICES)) {
            allServing = true;
        }
    }

    /** Whether every service has come up (the health server itself may have failed to bind: said at start). */
    boolean serving() {
        return allServing;
    }

    /** The port it listens on (the one picked when configured as 0), or -1 if it could not start. */
    public int port() {
        return server == null ? -1 : server.getPort();
    }

    @PreDestroy
    void stop() throws InterruptedException {
        health.enterTerminalState();
        if (server != null) {
            server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        }
    }
}
