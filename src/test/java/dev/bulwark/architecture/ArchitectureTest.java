package dev.bulwark.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages are layers in the order of the data flow, and each may use only the layers below it: an import
 * that goes up (a back-edge) is a cycle waiting to happen, and fails here. The order, top to bottom, is
 * {@link #LAYERS}; generated protobuf code (`api`, the runtimes' clients) is below everything. Sub-packages belong
 * to their layer (`identity.runtime` is identity, `bpf.libbpf` is bpf).
 */
class ArchitectureTest {
    /** Top to bottom: a layer may depend on those after it, never on those before it. */
    static final List<String> LAYERS = List.of(
            "cli",        // the executable: validate, compile, run
            "agent",      // wiring: the policy engine, health, the policy directory and gRPC adapters
            "k8s",        // the API server's policies, pods, nodes and settings
            "intake",     // one way in for policies, wherever they come from; the store
            "monitor",    // kernel events to logs and alerts
            "enforce",    // rule sets into the kernel (or reported, audit only)
            "telemetry",  // alerts, logs and agent messages out: JSON, gRPC, metrics
            "compile",    // policies + endpoint -> rule set
            "settings",   // postures, visibility, throttling as they change at run time
            "bpf",        // libbpf through FFM, the kernel's struct layouts
            "identity",   // endpoints: containers, pods, the host, and the kernel identities that name them
            "config",     // the configuration
            "policy",     // KubeArmor's policy model: read, validated
            "api");       // generated protobuf/gRPC code

    static JavaClasses classes;

    @BeforeAll
    static void read() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.bulwark");
    }

    @Test
    void everyPackageIsInALayer() {
        Set<String> unplaced = new TreeSet<>();
        classes.forEach(c -> {
            if (layerOf(c.getPackageName()) < 0) {
                unplaced.add(c.getPackageName());
            }
        });
        assertEquals(Set.of(), unplaced, "packages missing from ArchitectureTest.LAYERS");
    }

    @Test
    void noPackageDependsOnALayerAboveIt() {
        assertEquals(Map.of(), backEdges(edges(classes)), "imports that go up the layers (from -> to: classes)");
    }

    /** The check itself fails on a back-edge: the real graph plus one import of the agent from config. */
    @Test
    void aBackEdgeIsCaught() {
        Map<String, Set<String>> edges = edges(classes);
        edges.computeIfAbsent("config -> agent", k -> new TreeSet<>()).add("BulwarkConfig -> PolicyEngine");
        Map<String, Set<String>> found = backEdges(edges);
        assertEquals(Set.of("config -> agent"), found.keySet());
        assertFalse(backEdges(edges(classes)).containsKey("config -> agent"));
    }

    /** "from -> to" between layers, with the classes that make each. */
    static Map<String, Set<String>> edges(JavaClasses classes) {
        Map<String, Set<String>> edges = new TreeMap<>();
        classes.forEach(c -> {
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getPackageName();
                if (!target.startsWith("dev.bulwark")) {
                    continue;
                }
                int from = layerOf(c.getPackageName());
                int to = layerOf(target);
                if (from >= 0 && to >= 0 && from != to) {
                    edges.computeIfAbsent(LAYERS.get(from) + " -> " + LAYERS.get(to), k -> new TreeSet<>())
                            .add(c.getSimpleName() + " -> " + d.getTargetClass().getSimpleName());
                }
            }
        });
        return edges;
    }

    static Map<String, Set<String>> backEdges(Map<String, Set<String>> edges) {
        Map<String, Set<String>> back = new TreeMap<>();
        edges.forEach((edge, why) -> {
            String[] ends = edge.split(" -> ");
            if (LAYERS.indexOf(ends[0]) > LAYERS.indexOf(ends[1])) {
                back.put(edge, why);
            }
        });
        return back;
    }

    /** The layer of a package (its first name below dev.bulwark), or -1. */
    static int layerOf(String packageName) {
        if (!packageName.startsWith("dev.bulwark.")) {
            return -1;
        }
        String rest = packageName.substring("dev.bulwark.".length());
        String first = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
        if (rest.startsWith("identity.runtime.containerd") || rest.startsWith("identity.runtime.cri")) {
            first = "api"; // generated clients of the container runtimes
        }
        return LAYERS.indexOf(first);
    }
}
