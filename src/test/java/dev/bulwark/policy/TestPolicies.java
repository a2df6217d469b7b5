package dev.bulwark.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** Policy documents for tests: a kind, a name, a namespace and a spec in YAML flow style. */
public final class TestPolicies {
    private TestPolicies() {
    }

    /** The document text; an empty namespace leaves metadata.namespace out. */
    public static String document(String kind, String name, String namespace, String spec) {
        return "apiVersion: security.kubearmor.com/v1\nkind: " + kind + "\nmetadata: {name: " + name
                + (namespace.isEmpty() ? "" : ", namespace: " + namespace) + "}\nspec: " + spec + "\n";
    }

    /** The one valid policy of that document; fails the test when it does not validate. */
    public static Policy read(String kind, String name, String namespace, String spec) {
        PolicyReader.Result result = PolicyReader.read(document(kind, name, namespace, spec), "test");
        assertEquals(List.of(), result.errors());
        return result.policies().getFirst();
    }
}
