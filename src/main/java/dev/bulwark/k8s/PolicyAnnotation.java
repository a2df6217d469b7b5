package dev.bulwark.k8s;

import dev.bulwark.identity.Endpoint;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.jboss.logging.Logger;

/**
 * KubeArmor's `kubearmor-policy` annotation on a pod or a node: enabled (the default), disabled (no policies)
 * or audited (every Block only audited). Anything else is reported, and policies stay enabled.
 */
final class PolicyAnnotation {
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.k8s");
    static final String NAME = "kubearmor-policy";

    private PolicyAnnotation() {
    }

    /** The object's policy mode; null when enabled. */
    static Endpoint.PolicyMode of(HasMetadata object) {
        String value = object.getMetadata().getAnnotations() == null ? null
                : object.getMetadata().getAnnotations().get(NAME);
        if (value == null || value.equals("enabled")) {
            return null;
        }
        try {
            return Endpoint.PolicyMode.valueOf(value);
        } catch (IllegalArgumentException e) {
            String namespace = object.getMetadata().getNamespace();
            LOG.warn(object.getKind().toLowerCase() + " " + (namespace == null ? "" : namespace + "/")
                    + object.getMetadata().getName() + ": annotation " + NAME
                    + ": must be enabled, disabled or audited, not '" + value + "'; policies stay enabled");
            return null;
        }
    }
}
