package dev.bulwark.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.Eventually;
import dev.bulwark.agent.PolicyEngine;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.intake.PolicyStore;
import dev.bulwark.policy.KubeArmorClusterPolicy;
import dev.bulwark.policy.KubeArmorHostPolicy;
import dev.bulwark.policy.KubeArmorPolicy;
import dev.bulwark.policy.PolicyStatus;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent in Kubernetes mode against the fabric8 mock API server (CRUD): policies of the three kinds are
 * created, changed and deleted on the server, and the node's rule sets follow within 1 s; an invalid policy
 * gets a status naming the field and changes nothing.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(PolicyControllersTest.Profile.class)
class PolicyControllersTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The mock API server ignores field selectors on spec.nodeName: the agent filters pods itself.
            return Map.of("bulwark.k8s", "true", "bulwark.host", "node-1",
                    "bulwark.enableKubeArmorHostPolicy", "true", "bulwark.podFieldSelector", "false");
        }
    }

    static final Duration WITHIN = Duration.ofSeconds(1);
    static final String WEB_SECRETS = """
            apiVersion: security.kubearmor.com/v1
            kind: KubeArmorPolicy
            metadata: {name: web-secrets, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              file: {matchDirectories: [{dir: /run/secrets/, recursive: true}]}
              action: Block
            """;

    @Inject
    KubernetesClient client;
    @Inject
    PolicyEngine engine;
    @Inject
    PolicyStore store;
    @Inject
    EndpointRegistry endpoints;

    final Endpoint web = Endpoint.container("shop", "web-1", "nginx", Map.of("app", "web"),
            new KernelIdentity(4026532301L, 4026532302L));
    final Endpoint db = Endpoint.container("shop", "db-1", "postgres", Map.of("app", "db"),
            new KernelIdentity(4026532311L, 4026532312L));

    /**
     * The controllers start in the background after the agent: the first test of a class waits until a
     * throwaway policy has been reconciled (its status written), so the 1 s limits measure changes, not startup.
     */
    static void awaitControllers(KubernetesClient client) throws InterruptedException {
        client.resource(parse(hsp("/etc/sentinel").replace("node-files", "sentinel"), KubeArmorHostPolicy.class))
                .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        await(() -> {
            KubeArmorHostPolicy sentinel = client.resources(KubeArmorHostPolicy.class).withName("sentinel").get();
            return sentinel != null && sentinel.getStatus() != null;
        }, Duration.ofSeconds(30), "the controllers run");
        client.resources(KubeArmorHostPolicy.class).withName("sentinel").delete();
    }

    @BeforeEach
    void controllersRunning() throws InterruptedException {
        awaitControllers(client);
    }

    @AfterEach
    void cleanUp() {
        client.resources(KubeArmorHostPolicy.class).delete();
        client.resources(KubeArmorPolicy.class).inAnyNamespace().delete();
        client.resources(KubeArmorClusterPolicy.class).delete();
        endpoints.removeContainer("web");
        endpoints.removeContainer("db");
        endpoints.removeContainer("c-web");
    }

    /**
     * Replaces an object as a user would, again if the agent's status patch bumped its version in between
     * (409 Conflict): the test is about the agent's reaction, not the race.
     */
    static void update(KubernetesClient client, io.fabric8.kubernetes.api.model.HasMetadata object) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resource(object).update();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    static <T> T parse(String yaml, Class<T> type) {
        return Serialization.unmarshal(yaml, type);
    }

    List<String> targets(Endpoint endpoint) {
        Endpoint known = endpoint.isHost() ? endpoints.host() : endpoints.find(endpoint.identity());
        RuleSet set = known == null ? null : engine.ruleSet(known);
        return set == null ? List.of() : set.entries().stream().map(e -> e.key().target()).toList();
    }

    static <T> T await(Supplier<T> probe, Duration within, String what) throws InterruptedException {
        T value = Eventually.poll(within, Duration.ofMillis(10), probe,
                v -> v != null && !Boolean.FALSE.equals(v));
        assertTrue(value != null && !Boolean.FALSE.equals(value), what);
        return value;
    }

    static String hsp(String path) {
        return """
                apiVersion: security.kubearmor.com/v1
                kind: KubeArmorHostPolicy
                metadata: {name: node-files}
                spec:
                  nodeSelector: {matchLabels: {kubearmor.io/hostname: node-1}}
                  file: {matchPaths: [{path: %s}]}
                  action: Block
                """.formatted(path);
    }

    <R extends CustomResource<?, PolicyStatus>> PolicyStatus status(Class<R> type, String namespace, String name) {
        R resource = namespace == null ? client.resources(type).withName(name).get()
                : client.resources(type).inNamespace(namespace).withName(name).get();
        return resource == null ? null : resource.getStatus();
    }

    /**
     * In Kubernetes mode policy.PolicyService is not served (as upstream): a pod that reaches the port cannot add
     * policies the API server never shows. The rest of the port (the probe here) still answers.
     */
    @Test
    void thePolicyServiceIsNotServedInKubernetesMode() throws InterruptedException {
        io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress("localhost", 32787)
                .usePlaintext().build();
        try {
            io.grpc.StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    io.grpc.StatusRuntimeException.class, () -> dev.bulwark.api.policy.PolicyServiceGrpc
                            .newBlockingStub(channel).withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                            .hostPolicy(dev.bulwark.api.policy.policy.newBuilder().setPolicy(
                                    com.google.protobuf.ByteString.copyFromUtf8("{}")).build()));
            assertEquals(io.grpc.Status.Code.UNIMPLEMENTED, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("bulwark.enablePolicyService"),
                    refused.getStatus().getDescription());
            assertTrue(dev.bulwark.api.policy.ProbeServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                    .getProbeData(com.google.protobuf.Empty.getDefaultInstance()).getHostMapCount() >= 0);
        } finally {
            channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void hostPoliciesAreFollowedThroughCreateUpdateAndDelete() throws Exception {
        client.resource(parse(hsp("/etc/k8s-one"), KubeArmorHostPolicy.class)).create();
        await(() -> targets(endpoints.host()).contains("/etc/k8s-one"), WITHIN, "created: in the rule set within 1 s");
        PolicyStatus status = await(() -> status(KubeArmorHostPolicy.class, null, "node-files"),
                Duration.ofSeconds(5), "a status is written");
        assertEquals(new PolicyStatus("OK", "applied on node node-1"), status);

        update(client, parse(hsp("/etc/k8s-two"), KubeArmorHostPolicy.class));
        await(() -> targets(endpoints.host()).contains("/etc/k8s-two")
                && !targets(endpoints.host()).contains("/etc/k8s-one"), WITHIN, "updated within 1 s");

        client.resources(KubeArmorHostPolicy.class).withName("node-files").delete();
        await(() -> !targets(endpoints.host()).contains("/etc/k8s-two"), WITHIN, "deleted within 1 s");
    }

    @Test
    void containerPoliciesReachTheContainersTheySelect() throws Exception {
        endpoints.register(web.withRuntime("web", "nginx:1.27"));
        endpoints.register(db.withRuntime("db", "postgres:17"));
        client.resource(parse(WEB_SECRETS, KubeArmorPolicy.class)).create();
        await(() -> targets(web).contains("/run/secrets/"), WITHIN, "the matching container within 1 s");
        assertEquals(List.of(), targets(db), "not the container with other labels");
        assertTrue(!targets(endpoints.host()).contains("/run/secrets/"), "never the host");

        client.resource(parse("""
                apiVersion: security.kubearmor.com/v1
                kind: KubeArmorClusterPolicy
                metadata: {name: shop-wide}
                spec:
                  selector:
                    matchExpressions: [{key: namespace, operator: In, values: [shop]}]
                  process: {matchPaths: [{path: /usr/bin/curl}]}
                  action: Block
                """, KubeArmorClusterPolicy.class)).create();
        await(() -> targets(db).contains("/usr/bin/curl") && targets(web).contains("/usr/bin/curl"), WITHIN,
                "a cluster policy reaches every container of its namespaces within 1 s");

        client.resources(KubeArmorClusterPolicy.class).withName("shop-wide").delete();
        await(() -> !targets(db).contains("/usr/bin/curl"), WITHIN, "and leaves on delete");
    }

    /**
     * A runtime reports containers with the kubelet's labels only; the pod (on this node) brings the labels
     * policies select by. Either may come first.
     */
    @Test
    void podsOfThisNodeCompleteTheirContainersWithThePodsLabels() throws Exception {
        client.resource(parse(WEB_SECRETS, KubeArmorPolicy.class)).create();
        Map<String, String> kubelet = Map.of("io.kubernetes.pod.namespace", "shop", "io.kubernetes.pod.name",
                "web-1", "io.kubernetes.container.name", "nginx");
        endpoints.register(Endpoint.container("shop", "web-1", "nginx", kubelet, web.identity())
                .withRuntime("c-web", "nginx:1.27"));
        assertEquals(List.of(), targets(web), "the runtime's labels alone select nothing");

        client.resource(parse("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web-1
                  namespace: shop
                  labels: {app: web, pod-template-hash: 5d8f7}
                  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f7, uid: u-1,
                    controller: true}]
                spec:
                  nodeName: node-1
                  containers: [{name: nginx, image: nginx:1.27}]
                status:
                  containerStatuses:
                  - {name: nginx, containerID: "containerd://c-web", image: nginx:1.27, imageID: "", ready: true,
                     restartCount: 0}
                """, io.fabric8.kubernetes.api.model.Pod.class)).create();
        await(() -> targets(web).contains("/run/secrets/"), WITHIN, "the pod's labels select it within 1 s");
        Endpoint completed = endpoints.byContainerId("c-web");
        assertEquals("web", completed.labels().get("app"));
        assertTrue(!completed.labels().containsKey("pod-template-hash"), completed.labels().toString());
        assertEquals(new Endpoint.Owner("Deployment", "web", "shop"), completed.owner(), "the top controller");
        client.pods().inNamespace("shop").withName("web-1").delete();
    }

    /** A cluster policy names namespaces that need not exist yet: their containers get it when they come. */
    @Test
    void aClusterPolicyReachesANamespaceCreatedAfterIt() throws Exception {
        client.resource(parse("""
                apiVersion: security.kubearmor.com/v1
                kind: KubeArmorClusterPolicy
                metadata: {name: late-in}
                spec:
                  selector:
                    matchExpressions: [{key: namespace, operator: In, values: [late]}]
                  process: {matchPaths: [{path: /usr/bin/wget}]}
                  action: Block
                """, KubeArmorClusterPolicy.class)).create();
        client.resource(parse("""
                apiVersion: security.kubearmor.com/v1
                kind: KubeArmorClusterPolicy
                metadata: {name: all-but-shop}
                spec:
                  selector:
                    matchExpressions: [{key: namespace, operator: NotIn, values: [shop]}]
                  process: {matchPaths: [{path: /usr/bin/nc}]}
                  action: Block
                """, KubeArmorClusterPolicy.class)).create();
        await(() -> store.all().stream().filter(p -> p.name().equals("late-in") || p.name().equals("all-but-shop"))
                .count() == 2, WITHIN, "both policies are known");
        client.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("late")
                .endMetadata().build()).create();
        Endpoint late = Endpoint.container("late", "job-1", "main", Map.of(), new KernelIdentity(4026532321L,
                4026532322L)).withRuntime("c-late", "busybox");
        endpoints.register(late);
        await(() -> targets(late).containsAll(List.of("/usr/bin/wget", "/usr/bin/nc")), WITHIN,
                "the new namespace's container has both within 1 s: " + targets(late));
        endpoints.register(web.withRuntime("web", "nginx:1.27"));
        assertEquals(List.of(), targets(web), "the excluded namespace gets neither");
        endpoints.removeContainer("c-late");
        client.namespaces().withName("late").delete();
    }

    /**
     * The kubelet posts a container's id in the pod's status only once it runs; the names it gives the container
     * come first. A container registered by a hook before its first exec is matched by them, so the pod's rules
     * are in place when the registration returns, not after the status update.
     */
    @Test
    void aContainerIsMatchedToItsPodByNameBeforeThePodStatusNamesIt() throws Exception {
        client.resource(parse(WEB_SECRETS, KubeArmorPolicy.class)).create();
        await(() -> store.all().stream().anyMatch(p -> p.name().equals("web-secrets")), WITHIN, "the policy is known");
        client.resource(parse("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web-1, namespace: shop, labels: {app: web}}
                spec:
                  nodeName: node-1
                  containers: [{name: nginx, image: nginx:1.27}, {name: sidecar, image: busybox}]
                """, io.fabric8.kubernetes.api.model.Pod.class)).create();
        endpoints.register(Endpoint.container("shop", "web-1", "nginx", kubelet("nginx"), web.identity())
                .withRuntime("c-web", "nginx:1.27"));
        await(() -> targets(web).contains("/run/secrets/"), WITHIN, "completed from the pod found by name");

        Endpoint sidecar = Endpoint.container("shop", "web-1", "sidecar", kubelet("sidecar"), db.identity())
                .withRuntime("c-side", "busybox");
        endpoints.register(sidecar); // as the registration socket does for a hook
        assertTrue(targets(sidecar).contains("/run/secrets/"), "the rules are in place when register returns");
        assertEquals("sidecar", endpoints.byContainerId("c-side").container());
        client.pods().inNamespace("shop").withName("web-1").delete();
        endpoints.removeContainer("c-side");
    }

    static Map<String, String> kubelet(String container) {
        return Map.of("io.kubernetes.pod.namespace", "shop", "io.kubernetes.pod.name", "web-1",
                "io.kubernetes.container.name", container);
    }

    /** A pod's `kubearmor-policy` annotation: audited turns every Block into Audit, disabled drops them all. */
    @Test
    void thePodsPolicyAnnotationAuditsOrDisablesItsContainersPolicies() throws Exception {
        client.resource(parse(WEB_SECRETS, KubeArmorPolicy.class)).create();
        endpoints.register(Endpoint.container("shop", "web-1", "nginx", Map.of(), web.identity())
                .withRuntime("c-web", "nginx:1.27"));
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web-1
                  namespace: shop
                  labels: {app: web}
                  annotations: {kubearmor-policy: %s}
                spec:
                  nodeName: node-1
                  containers: [{name: nginx, image: nginx:1.27}]
                status:
                  containerStatuses: [{name: nginx, containerID: "containerd://c-web", image: nginx:1.27, imageID: "",
                    ready: true, restartCount: 0}]
                """;
        client.resource(parse(pod.formatted("audited"), io.fabric8.kubernetes.api.model.Pod.class)).create();
        RuleSet audited = await(() -> {
            Endpoint known = endpoints.byContainerId("c-web");
            RuleSet set = known == null ? null : engine.ruleSet(known);
            return set != null && !set.entries().isEmpty() ? set : null;
        }, WITHIN, "the audited pod's container has its rules within 1 s");
        assertTrue(audited.entries().stream().allMatch(e -> e.block().isEmpty() && !e.audit().isEmpty()),
                "every Block is only audited: " + audited.entries());

        client.pods().inNamespace("shop").withName("web-1").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                .editMetadata().addToAnnotations("kubearmor-policy", "disabled").endMetadata().build());
        await(() -> targets(web).isEmpty() && endpoints.byContainerId("c-web").policy() == Endpoint.PolicyMode.disabled,
                WITHIN, "disabled: no rules within 1 s");
        client.pods().inNamespace("shop").withName("web-1").delete();
    }

    @Test
    void hostPoliciesSelectByTheNodesLabels() throws Exception {
        client.resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("node-1")
                .addToLabels("node-role.kubernetes.io/edge", "true").endMetadata().build()).create();
        client.resource(parse("""
                apiVersion: security.kubearmor.com/v1
                kind: KubeArmorHostPolicy
                metadata: {name: edge-only}
                spec:
                  nodeSelector: {matchLabels: {node-role.kubernetes.io/edge: "true"}}
                  file: {matchPaths: [{path: /etc/edge}]}
                  action: Block
                """, KubeArmorHostPolicy.class)).create();
        await(() -> targets(endpoints.host()).contains("/etc/edge"), WITHIN, "selected by a node label within 1 s");
        client.nodes().withName("node-1").edit(n -> new io.fabric8.kubernetes.api.model.NodeBuilder(n)
                .editMetadata().removeFromLabels("node-role.kubernetes.io/edge").endMetadata().build());
        await(() -> !targets(endpoints.host()).contains("/etc/edge"), WITHIN, "and no longer once the label goes");
        client.nodes().withName("node-1").delete();
    }

    /** The node's `kubearmor-policy` annotation does for host policies what a pod's does for its containers. */
    @Test
    void theNodesPolicyAnnotationAuditsOrDisablesHostPolicies() throws Exception {
        client.resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("node-1")
                .addToAnnotations("kubearmor-policy", "audited").endMetadata().build()).create();
        client.resource(parse(hsp("/etc/node-audited"), KubeArmorHostPolicy.class)).create();
        RuleSet audited = await(() -> {
            RuleSet set = engine.ruleSet(endpoints.host());
            return set != null && set.entries().stream().anyMatch(e -> e.key().target().equals("/etc/node-audited"))
                    ? set : null;
        }, WITHIN, "the audited node has its host rules within 1 s");
        assertTrue(audited.entries().stream().allMatch(e -> e.block().isEmpty()), "no Block: " + audited.entries());

        setNodePolicy("disabled");
        await(() -> targets(endpoints.host()).isEmpty(), WITHIN, "disabled: no host rules within 1 s");
        setNodePolicy("sometimes");
        await(() -> {
            RuleSet set = engine.ruleSet(endpoints.host());
            return set != null && set.entries().stream().anyMatch(e -> !e.block().isEmpty());
        }, WITHIN,
                "an invalid value is reported and policies are enabled (Block) within 1 s");
        client.nodes().withName("node-1").delete();
    }

    void setNodePolicy(String mode) {
        client.nodes().withName("node-1").edit(n -> new io.fabric8.kubernetes.api.model.NodeBuilder(n)
                .editMetadata().addToAnnotations("kubearmor-policy", mode).endMetadata().build());
    }

    @Test
    void anInvalidPolicyGetsAStatusNamingTheFieldAndChangesNothing() throws Exception {
        client.resource(parse(hsp("/etc/k8s-good"), KubeArmorHostPolicy.class)).create();
        await(() -> targets(endpoints.host()).contains("/etc/k8s-good"), WITHIN, "the good version applies");

        update(client, parse(hsp("etc/relative"), KubeArmorHostPolicy.class));
        PolicyStatus status = await(() -> {
            PolicyStatus s = status(KubeArmorHostPolicy.class, null, "node-files");
            return s != null && s.status().equals("Invalid") ? s : null;
        }, Duration.ofSeconds(5), "the status says Invalid");
        assertTrue(status.message().contains("spec.file.matchPaths[0].path"), status.message());
        assertTrue(targets(endpoints.host()).contains("/etc/k8s-good"), "the last good version stays in force");
        assertEquals(1, store.sources().stream().filter(s -> s.startsWith("k8s:") && !s.contains("sentinel")).count());
    }
}
