package dev.bulwark.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bulwark.policy.KubeArmorClusterPolicy;
import dev.bulwark.policy.KubeArmorHostPolicy;
import dev.bulwark.policy.KubeArmorPolicy;
import dev.bulwark.policy.PolicyError;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.policy.PolicyReader;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generated CRDs against the fabric8 mock API server (CRUD mode): they install, every example round-trips
 * through the typed model unchanged, and an invalid object the server stores is still caught, field by field,
 * when read back (the mock server, unlike a real one, does not apply the schema).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrdRoundTripTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Inject
    KubernetesClient client;

    @BeforeEach
    void installCrds() throws IOException {
        for (PolicyKind kind : PolicyKind.values()) {
            try (InputStream in = getClass().getResourceAsStream(kind.crdResource())) {
                CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
                client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(NonDeletingOperation::update);
            }
        }
    }

    @Test
    void theThreeCrdsAreInstalledWithTheirScopesAndShortNames() {
        List<CustomResourceDefinition> crds = client.apiextensions().v1().customResourceDefinitions().list().getItems();
        assertEquals(3, crds.size());
        CustomResourceDefinition ksp = client.apiextensions().v1().customResourceDefinitions()
                .withName("kubearmorpolicies.security.kubearmor.com").get();
        assertEquals("Namespaced", ksp.getSpec().getScope());
        assertEquals(List.of("ksp"), ksp.getSpec().getNames().getShortNames());
        assertEquals("Cluster", client.apiextensions().v1().customResourceDefinitions()
                .withName("kubearmorhostpolicies.security.kubearmor.com").get().getSpec().getScope());
    }

    @Test
    void everyExampleRoundTripsThroughTheTypedModel() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            for (Path file : files.sorted().toList()) {
                String kind = YAML.readTree(file.toFile()).path("kind").asText();
                Class<? extends CustomResource<?, ?>> type = switch (kind) {
                    case "KubeArmorPolicy" -> KubeArmorPolicy.class;
                    case "KubeArmorHostPolicy" -> KubeArmorHostPolicy.class;
                    default -> KubeArmorClusterPolicy.class;
                };
                roundTrip(file, type);
            }
        }
    }

    private <T extends CustomResource<?, ?>> void roundTrip(Path file, Class<T> type) throws IOException {
        T sent = YAML.readValue(file.toFile(), type);
        T created = client.resources(type).resource(sent).create();
        String namespace = created.getMetadata().getNamespace();
        String name = created.getMetadata().getName();
        T read = namespace == null ? client.resources(type).withName(name).get()
                : client.resources(type).inNamespace(namespace).withName(name).get();
        assertEquals(sent.getSpec(), read.getSpec(), file + " changed on the way through the API server");
        String json = Serialization.asJson(read);
        assertTrue(PolicyReader.read(json, "api").valid(), () -> file + ": " + PolicyReader.read(json, "api").errors());
    }

    @Test
    void anInvalidObjectStoredByTheServerIsRejectedNamingTheField() {
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                .withGroup("security.kubearmor.com").withVersion("v1").withKind("KubeArmorPolicy")
                .withPlural("kubearmorpolicies").withNamespaced(true).build();
        GenericKubernetesResource bad = Serialization.unmarshal("""
                {"apiVersion": "security.kubearmor.com/v1", "kind": "KubeArmorPolicy",
                 "metadata": {"name": "bad", "namespace": "shop"},
                 "spec": {"file": {"matchDirectories": [{"dir": "/etc/"}, {"dir": "/tmp"}]}, "severity": 12}}
                """, GenericKubernetesResource.class);
        client.genericKubernetesResources(context).inNamespace("shop").resource(bad).create();
        GenericKubernetesResource stored = client.genericKubernetesResources(context).inNamespace("shop")
                .withName("bad").get();
        List<String> errors = PolicyReader.read(Serialization.asJson(stored), "api").errors().stream()
                .map(PolicyError::field).sorted().toList();
        assertEquals(List.of("spec.file.matchDirectories[1].dir", "spec.severity"), errors);
    }
}
