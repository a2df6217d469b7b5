package dev.bulwark.policy;

import java.util.List;

/**
 * The four alert attributes that every KubeArmor rule, every rule block and every spec carries.
 * A rule inherits each attribute it leaves empty from its block, and the block from the spec.
 */
public interface RuleMeta {
    /** Regex shared by the CRDs and the validator: KubeArmor's enum, lower case also accepted. */
    String ACTION_PATTERN = "^([Aa]llow|[Aa]udit|[Bb]lock)?$";

    Integer severity();

    List<String> tags();

    String message();

    String action();
}
