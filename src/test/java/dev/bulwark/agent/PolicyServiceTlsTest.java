package dev.bulwark.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.bulwark.api.policy.PolicyServiceGrpc;
import dev.bulwark.api.policy.PolicyStatus;
import dev.bulwark.api.policy.ProbeServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * policy.PolicyService behind mutual TLS: the gRPC port speaks TLS with a certificate from a CA the clients are
 * given, asks clients for theirs (client-auth REQUEST), and PolicyService answers only a client whose
 * certificate a trusted CA signed; the log feeds and the probe need none. Certificates are made with openssl.
 */
@QuarkusTest
@TestProfile(PolicyServiceTlsTest.Profile.class)
class PolicyServiceTlsTest {
    static final Path DIR = Path.of("target/policy-service-tls");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            makeCertificates();
            return Map.of("quarkus.grpc.server.ssl.certificate", DIR.resolve("server.crt").toString(),
                    "quarkus.grpc.server.ssl.key", DIR.resolve("server.key").toString(),
                    "quarkus.grpc.server.ssl.trust-store", DIR.resolve("clients.p12").toString(),
                    "quarkus.grpc.server.ssl.trust-store-password", "changeit",
                    "quarkus.grpc.server.ssl.client-auth", "REQUEST",
                    "bulwark.policyServiceClientCertificate", "true",
                    // A store of its own each run: what an earlier run kept would be restored as "Modified".
                    "bulwark.policyStorePath", DIR.resolve("store-" + ProcessHandle.current().pid()).toString());
        }
    }

    /**
     * The CA, the server's certificate for localhost and a client's, made by scripts/grpc-tls.sh (what
     * docs/grpc-tls.md tells users to run); and a stranger's from another CA.
     */
    static synchronized void makeCertificates() {
        if (Files.exists(DIR.resolve("stranger.crt"))) {
            return;
        }
        try {
            Files.createDirectories(DIR);
            sh("bash ../../scripts/grpc-tls.sh . localhost 127.0.0.1"
                    + " && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=stranger-ca"
                    + " -keyout stranger-ca.key -out stranger-ca.crt"
                    + " && " + signed("stranger", "karmor", "stranger-ca", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String signed(String name, String cn, String ca, String extension) {
        return "openssl req -newkey rsa:2048 -nodes -subj /CN=" + cn + " -keyout " + name + ".key -out " + name
                + ".csr " + extension + " && openssl x509 -req -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca
                + ".key -CAcreateserial -days 2 -copy_extensions copy -out " + name + ".crt";
    }

    private static void sh(String commands) throws IOException {
        try {
            Process process = new ProcessBuilder("bash", "-c", commands).directory(DIR.toFile())
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IOException("making test certificates: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A TLS channel that trusts the test CA and presents the named client certificate (null: none). */
    static ManagedChannel channel(String client) throws IOException {
        SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(DIR.resolve("ca.crt").toFile());
        if (client != null) {
            tls.keyManager(DIR.resolve(client + ".crt").toFile(), DIR.resolve(client + ".key").toFile());
        }
        return NettyChannelBuilder.forAddress("localhost", 32787).sslContext(tls.build()).build();
    }

    static PolicyStatus addHostPolicy(ManagedChannel channel) {
        String policy = """
                {"type": "ADDED", "object": {"metadata": {"name": "tls-host"}, "spec": {"nodeSelector":
                {"matchLabels": {"kubearmor.io/hostname": "*"}}, "file": {"matchPaths": [{"path": "/etc/tls-test"}]},
                "action": "Block"}}}""";
        return PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .hostPolicy(dev.bulwark.api.policy.policy.newBuilder().setPolicy(ByteString.copyFromUtf8(policy))
                        .build()).getStatus();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aClientWithACertificateFromTheTrustedCaMayChangePolicies() throws Exception {
        ManagedChannel channel = channel("client");
        try {
            assertEquals(PolicyStatus.Applied, addHostPolicy(channel));
        } finally {
            close(channel);
        }
    }

    @Test
    void aClientWithoutACertificateIsRefusedButReadsTheProbe() throws Exception {
        ManagedChannel channel = channel(null);
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> addHostPolicy(channel));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
            ProbeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getProbeData(Empty.getDefaultInstance());
        } finally {
            close(channel);
        }
    }

    @Test
    void aCertificateFromAnotherCaDoesNotGetThrough() throws Exception {
        ManagedChannel channel = channel("stranger");
        try {
            // The handshake refuses it (the server asked for a certificate and cannot verify this one).
            assertThrows(StatusRuntimeException.class, () -> addHostPolicy(channel));
        } finally {
            close(channel);
        }
    }

    @Test
    void plaintextIsNotSpokenOnATlsPort() throws Exception {
        ManagedChannel plain = NettyChannelBuilder.forAddress("localhost", 32787).usePlaintext().build();
        try {
            assertThrows(StatusRuntimeException.class, () -> addHostPolicy(plain));
        } finally {
            close(plain);
        }
    }
}
