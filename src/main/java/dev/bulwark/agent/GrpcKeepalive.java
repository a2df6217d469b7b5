package dev.bulwark.agent;

import io.quarkus.arc.Unremovable;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server's keepalive, as close to upstream's (a ping every second on an idle connection, closed when no
 * answer came within five) as grpc-java goes: it raises any server ping interval below 10 s to 10 s, so an idle
 * connection is pinged every 10 s and one whose peer stopped answering is closed 5 s later (upstream: 6 s in all).
 * An idle relay stream (a quiet node) is so known to be alive, and a dead one ends instead of silently holding a
 * subscriber. Clients may ping every second, as upstream allows (karmor, the relay), without being sent away.
 */
@ApplicationScoped
@Unremovable // looked up by the gRPC extension at start, injected nowhere
public class GrpcKeepalive implements ServerBuilderCustomizer<VertxServerBuilder> {
    static final long PING_SECONDS = 1;
    static final long TIMEOUT_SECONDS = 5;

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        builder.nettyBuilder()
                .keepAliveTime(PING_SECONDS, TimeUnit.SECONDS)
                .keepAliveTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveTime(PING_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
    }
}
