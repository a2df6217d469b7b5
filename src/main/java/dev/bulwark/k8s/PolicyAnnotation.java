package dev.bulwark.k8s;

import dev.bulwark.identity.Endpoint;
import dev.bulwark.telemetry.AgentLog;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * KubeArmor's `kubearmor-policy` annotation on a pod or a node: enabled (the default), disabled (no policies)
 * or audited (every Block only audited). Anything else is reported, and policies stay enabled.
 */
final class PolicyAnnotation {
    static final String NAME = "kubearmor-policy";

    private PolicyAnnotation() {
    }

    /** The object's policy mode; null when enabled. */
    static Endpoint.PolicyMode of(HasMetadata object, AgentLog log) {
        String value = object.getMetadata().getAnnotations() == null ? null
                : object.getMetadata().getAnnotations().get(NAME);
        if (value == null || value.equals("enabled")) {
            return null;
        }
        try {
            return Endpoint.PolicyMode.valueOf(value);
        } catch (IllegalArgumentException e) {
            String namespace = object.getMetadata().getNamespace();
            log.warn(object.getKind().toLowerCase() + " " + (namespace == null ? "" : namespace + "/")
                    + object.getMetadata().getName() + ": annotation " + NAME
                    + ": must be enabled, disabled or audited, not '" + value + "'; policies stay enabled");
            return null;
        }
    }
}
