package dev.bulwark.agent;

import dev.bulwark.api.policy.PolicyServiceGrpc;
import dev.bulwark.config.AgentMode;
import dev.bulwark.config.BulwarkConfig;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who may call `policy.PolicyService`: nobody where it is off (Kubernetes mode, unless enablePolicyService), and
 * where policyServiceClientCertificate asks for it, only clients whose certificate the TLS handshake verified.
 * Every other service on the port (the log feeds, probes, health) is not affected.
 */
@GlobalInterceptor
@ApplicationScoped
public class PolicyServiceGate implements ServerInterceptor {
    static final String SERVICE = PolicyServiceGrpc.SERVICE_NAME;

    @Inject
    BulwarkConfig config;
    @Inject
    AgentMode mode;

    /** Whether PolicyService is served at all. */
    boolean served() {
        return config.enablePolicyService().orElse(mode.standalone());
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        if (!SERVICE.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        if (!served()) {
            return refuse(call, Status.UNIMPLEMENTED.withDescription(SERVICE + " is not served in Kubernetes mode:"
                    + " policies come from the API server (bulwark.enablePolicyService=true serves it)"));
        }
        if (config.policyServiceClientCertificate() && !verifiedClient(call.getAttributes().get(
                Grpc.TRANSPORT_ATTR_SSL_SESSION))) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(SERVICE + " needs a client certificate"
                    + " signed by the gRPC server's trusted CA (bulwark.policyServiceClientCertificate)"));
        }
        return next.startCall(call, headers);
    }

    /** A TLS session whose peer presented a certificate (the handshake verified it against the trust store). */
    static boolean verifiedClient(SSLSession session) {
        if (session == null) {
            return false;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain != null && chain.length > 0;
        } catch (SSLPeerUnverifiedException none) {
            return false;
        }
    }

    private static <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
