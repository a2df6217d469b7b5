package dev.bulwark.bench;

import com.google.protobuf.ByteString;
import dev.bulwark.api.policy.PolicyServiceGrpc;
import dev.bulwark.api.policy.PolicyStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How long a policy change takes to be enforced, from each source: a file in the policy directory, a gRPC
 * PolicyService call, a KubeArmorHostPolicy created on the API server (fabric8's mock server, CRUD mode). Each
 * round protects a new file and measures from the change to the first denied open; it also checks that when the
 * source says "applied" (the agent's log line, the gRPC reply, the object's status), the file is already denied.
 * Runs the packaged agent in a BPF-LSM guest (bench/policy-latency.sh); prints p50/p99 in milliseconds.
 */
public final class PolicyLatency {
    private static final ResourceDefinitionContext HOST_POLICIES = new ResourceDefinitionContext.Builder()
            .withGroup("security.kubearmor.com").withVersion("v1").withKind("KubeArmorHostPolicy")
            .withPlural("kubearmorhostpolicies").withNamespaced(false).build();

    private PolicyLatency() {
    }

    public static void main(String[] args) throws Exception {
        try {
            measure(args);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(2); // the clients' threads would keep a failed run alive
        }
    }

    static void measure(String[] args) throws Exception {
        String jar = args[0];
        int rounds = Integer.parseInt(args[1]);
        Path work = Files.createTempDirectory("bulwark-latency");
        Path policies = Files.createDirectories(work.resolve("policies"));
        Path files = Files.createDirectories(work.resolve("files"));

        KubernetesMockServer apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        apiServer.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient client = apiServer.createClient();
        try (var crds = Files.list(Path.of("src/main/resources/crds"))) {
            for (Path crd : crds.toList()) {
                client.resource(Serialization.unmarshal(Files.readString(crd), CustomResourceDefinition.class)).create();
            }
        }
        Path log = work.resolve("agent.log");
        Process agent = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Dquarkus.kubernetes-client.api-server-url=http://127.0.0.1:"
                        + apiServer.getPort(), "-Dbulwark.podFieldSelector=false", "-jar", jar, "run",
                "-policyDir=" + policies, "-k8s=true", "-enableKubeArmorHostPolicy=true",
                "-enablePolicyService=true", "-selfProtection=false", "-healthPort=9095",
                "-grpc=32767", "-logPath=" + work.resolve("alerts.json"), "-policyStorePath=" + work.resolve("store"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long started = System.nanoTime();
        await(() -> {
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited (" + agent.exitValue() + "):\n" + tail(log));
            }
            return ready();
        }, 600, "the agent is not ready: " + tail(log));
        System.out.printf("agent ready after %.1f s%n", (System.nanoTime() - started) / 1e9);

        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", 32767).usePlaintext().build();
        PolicyServiceGrpc.PolicyServiceBlockingStub grpc = PolicyServiceGrpc.newBlockingStub(channel);
        Map<String, List<Double>> latencies = new HashMap<>();
        Map<String, Integer> ackedBeforeEnforced = new HashMap<>();
        try {
            for (int round = 0; round < rounds; round++) {
                for (String source : List.of("file", "gRPC", "CRD")) {
                    String name = source.toLowerCase() + "-" + round;
                    Path target = files.resolve(name);
                    Files.writeString(target, "data\n");
                    String spec = "{\"nodeSelector\": {\"matchLabels\": {\"kubearmor.io/hostname\": \"*\"}},"
                            + " \"file\": {\"matchPaths\": [{\"path\": \"" + target + "\"}]}, \"action\": \"Block\"}";
                    long t0 = System.nanoTime();
                    BooleanSupplier acknowledged;
                    switch (source) {
                        case "file" -> {
                            Path file = policies.resolve(name + ".json");
                            Files.writeString(policies.resolve("." + name), "{\"apiVersion\": \"security.kubearmor.com/v1\","
                                    + " \"kind\": \"KubeArmorHostPolicy\", \"metadata\": {\"name\": \"" + name + "\"},"
                                    + " \"spec\": " + spec + "}");
                            Files.move(policies.resolve("." + name), file);
                            acknowledged = () -> logged(log, "Applied 1 policies from " + file);
                        }
                        case "gRPC" -> {
                            String body = "{\"type\": \"ADDED\", \"object\": {\"metadata\": {\"name\": \"" + name
                                    + "\"}, \"spec\": " + spec + "}}";
                            PolicyStatus status = grpc.hostPolicy(dev.bulwark.api.policy.policy.newBuilder()
                                    .setPolicy(ByteString.copyFromUtf8(body)).build()).getStatus();
                            acknowledged = () -> status == PolicyStatus.Applied;
                        }
                        default -> {
                            GenericKubernetesResource policy = Serialization.unmarshal("{\"apiVersion\":"
                                    + " \"security.kubearmor.com/v1\", \"kind\": \"KubeArmorHostPolicy\", \"metadata\":"
                                    + " {\"name\": \"" + name + "\"}, \"spec\": " + spec + "}",
                                    GenericKubernetesResource.class);
                            client.genericKubernetesResources(HOST_POLICIES).resource(policy).create();
                            // The agent's log line: the packaged agent writes status by server-side apply, which
                            // the mock API server refuses (415); the tests see the status itself.
                            acknowledged = () -> logged(log, "Applied KubeArmorHostPolicy " + name + " (API server)");
                        }
                    }
                    // Until both are seen: the first denial times the change; an acknowledgement seen while the
                    // file is still readable is a broken promise.
                    Double enforcedAt = null;
                    boolean acked = false;
                    long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
                    while (enforcedAt == null || !acked) {
                        boolean ackedNow = acked || acknowledged.getAsBoolean();
                        boolean deniedNow = denied(target);
                        if (deniedNow && enforcedAt == null) {
                            enforcedAt = (System.nanoTime() - t0) / 1e6;
                        }
                        if (ackedNow && !acked && !deniedNow) {
                            ackedBeforeEnforced.merge(source, 1, Integer::sum);
                        }
                        acked = ackedNow;
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(source + " " + name + ": acknowledged " + acked
                                    + ", enforced " + (enforcedAt != null) + "\n" + tail(log));
                        }
                        Thread.sleep(1);
                    }
                    latencies.computeIfAbsent(source, s -> new ArrayList<>()).add(enforcedAt);
                }
            }
        } finally {
            channel.shutdownNow();
            agent.destroy();
            agent.waitFor(60, TimeUnit.SECONDS);
            apiServer.destroy();
        }
        System.out.println("| source | rounds | p50 ms | p99 ms | said applied before it was enforced |");
        System.out.println("|---|---|---|---|---|");
        for (String source : List.of("file", "gRPC", "CRD")) {
            List<Double> sorted = latencies.get(source).stream().sorted().toList();
            System.out.printf("| %s | %d | %.0f | %.0f | %d |%n", source, sorted.size(), percentile(sorted, 50),
                    percentile(sorted, 99), ackedBeforeEnforced.getOrDefault(source, 0));
        }
        System.exit(ackedBeforeEnforced.isEmpty() ? 0 : 1);
    }

    /** Whether opening the file is denied now. */
    static boolean denied(Path file) {
        try {
            Files.readAllBytes(file);
            return false;
        } catch (AccessDeniedException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean ready() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:9095/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static boolean logged(Path log, String line) {
        try {
            return Files.readString(log).contains(line);
        } catch (IOException e) {
            return false;
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    static void await(BooleanSupplier condition, int seconds, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(failure);
            }
            Thread.sleep(1);
        }
    }

    static double percentile(List<Double> sorted, int percent) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1));
    }
}
