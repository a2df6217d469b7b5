package dev.bulwark.k8s;

import static dev.bulwark.k8s.PolicyControllersTest.await;
import static dev.bulwark.k8s.PolicyControllersTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.agent.PolicyEngine;
import dev.bulwark.compile.RuleSet.Mode;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.config.Visibility;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.policy.KubeArmorPolicy;
import dev.bulwark.policy.Posture;
import dev.bulwark.settings.LiveSettings;
import dev.bulwark.settings.Throttle;
import dev.bulwark.telemetry.AgentLog;
import dev.bulwark.telemetry.Subscription;
import dev.bulwark.telemetry.Telemetry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Namespace annotations and the kubearmor-config ConfigMap change postures, visibility and throttling live,
 * against the fabric8 mock API server.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(PolicyControllersTest.Profile.class)
class ClusterSettingsTest {
    static final Duration WITHIN = Duration.ofSeconds(1);
    static final String ALLOW_LIST = """
            apiVersion: security.kubearmor.com/v1
            kind: KubeArmorPolicy
            metadata: {name: allow-app, namespace: %s}
            spec:
              selector: {matchLabels: {app: web}}
              file: {matchDirectories: [{dir: /app/, recursive: true}]}
              action: Allow
            """;

    @Inject
    KubernetesClient client;
    @Inject
    PolicyEngine engine;
    @Inject
    EndpointRegistry endpoints;
    @Inject
    LiveSettings settings;
    @Inject
    Telemetry telemetry;

    final Endpoint shop = Endpoint.container("shop", "web-1", "nginx", Map.of("app", "web"),
            new KernelIdentity(4026532401L, 4026532402L)).withRuntime("shop-web", "nginx:1.27");
    final Endpoint other = Endpoint.container("other", "web-2", "nginx", Map.of("app", "web"),
            new KernelIdentity(4026532411L, 4026532412L)).withRuntime("other-web", "nginx:1.27");
    final List<String> messages = new CopyOnWriteArrayList<>();
    Subscription subscription;

    @BeforeEach
    void setUp() throws InterruptedException {
        PolicyControllersTest.awaitControllers(client);
        subscription = telemetry.subscribe(r -> {
            if (r instanceof AgentLog.Message m) {
                messages.add(m.message());
            }
        });
        endpoints.register(shop);
        endpoints.register(other);
        client.resource(parse(ALLOW_LIST.formatted("shop"), KubeArmorPolicy.class)).create();
        client.resource(parse(ALLOW_LIST.formatted("other"), KubeArmorPolicy.class)).create();
    }

    @AfterEach
    void tearDown() {
        subscription.close();
        client.resources(KubeArmorPolicy.class).inAnyNamespace().delete();
        client.namespaces().delete();
        client.configMaps().inAnyNamespace().delete();
        endpoints.removeContainer("shop-web");
        endpoints.removeContainer("other-web");
    }

    Mode fileMode(Endpoint endpoint) {
        RuleSet set = engine.ruleSet(endpoints.find(endpoint.identity()));
        return set == null ? null : set.modes().get(RuleSet.RuleClass.FILE);
    }

    Namespace namespace(String name, Map<String, String> annotations) {
        return new NamespaceBuilder().withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
                .build();
    }

    @Test
    void namespaceAnnotationsSetPosturesAndVisibilityForTheirNamespaceOnly() throws Exception {
        await(() -> new Mode(true, Posture.audit).equals(fileMode(shop)), WITHIN, "allow list, default audit");
        client.resource(namespace("shop", Map.of("kubearmor-file-posture", "block",
                "kubearmor-visibility", "process,network"))).create();
        await(() -> new Mode(true, Posture.block).equals(fileMode(shop)), WITHIN, "block within 1 s");
        assertEquals(new Mode(true, Posture.audit), fileMode(other), "other namespaces keep the default");
        assertEquals(List.of(Visibility.process, Visibility.network), settings.visibility(endpoints.find(shop.identity())));

        PolicyControllersTest.update(client, namespace("shop", Map.of("kubearmor-file-posture", "deny")));
        await(() -> new Mode(true, Posture.audit).equals(fileMode(shop)), WITHIN, "an invalid value: the default");
        await(() -> messages.stream().anyMatch(m -> m.startsWith("namespace shop: annotation kubearmor-file-posture:"
                + " must be audit or block, not 'deny'")), Duration.ofSeconds(2), "said, naming the annotation");
    }

    @Test
    void theConfigMapChangesDefaultsAndThrottlingLive() throws Exception {
        await(() -> new Mode(true, Posture.audit).equals(fileMode(other)), WITHIN, "allow list, default audit");
        ConfigMap config = new ConfigMapBuilder().withNewMetadata().withName("kubearmor-config")
                .withNamespace("kubearmor").addToLabels("kubearmor-app", "kubearmor-configmap").endMetadata()
                .addToData("defaultFilePosture", "block").addToData("maxAlertPerSec", "3")
                .addToData("throttleSec", "7").addToData("alertThrottling", "true").addToData("matchArgs", "false")
                .build();
        client.resource(config).create();
        await(() -> new Mode(true, Posture.block).equals(fileMode(other)), WITHIN, "block everywhere within 1 s");
        assertEquals(new Throttle(3, 7), settings.defaults().throttle());
        assertEquals(false, settings.defaults().matchArgs(), "allowedArgs ignored from now on");

        client.resource(config).delete();
        await(() -> new Mode(true, Posture.audit).equals(fileMode(other)), WITHIN, "deleted: configured defaults");
        assertEquals(new Throttle(10, 30), settings.defaults().throttle());
        assertEquals(true, settings.defaults().matchArgs());
    }

    /** As KubeArmor, kube-system and kubearmor are left alone unless `untrackedNs` says otherwise. */
    @Test
    void untrackedNamespacesGetNoPoliciesUntilTheConfigMapTracksThem() throws Exception {
        Endpoint system = Endpoint.container("kube-system", "dns-1", "coredns", Map.of("app", "web"),
                new KernelIdentity(4026532421L, 4026532422L)).withRuntime("system-web", "coredns:1.11");
        endpoints.register(system);
        try {
            client.resource(parse(ALLOW_LIST.formatted("kube-system"), KubeArmorPolicy.class)).create();
            await(() -> new Mode(true, Posture.audit).equals(fileMode(other)), WITHIN, "the others' policies apply");
            assertEquals(false, fileMode(system).whitelist(), "kube-system is untracked: no allow list");
            assertEquals(List.of(Visibility.none), settings.visibility(endpoints.find(system.identity())));

            client.resource(new ConfigMapBuilder().withNewMetadata().withName("kubearmor-config")
                    .withNamespace("kubearmor").addToLabels("kubearmor-app", "kubearmor-configmap").endMetadata()
                    .addToData("untrackedNs", "kubearmor").build()).create();
            await(() -> new Mode(true, Posture.audit).equals(fileMode(system)), WITHIN, "tracked once the map says so");
        } finally {
            endpoints.removeContainer("system-web");
        }
    }
}
