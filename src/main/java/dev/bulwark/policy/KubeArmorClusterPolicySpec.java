package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

/** Spec of a KubeArmorClusterPolicy: rules for containers in the namespaces (and labels) the selector names. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KubeArmorClusterPolicySpec(
        Selectors.ClusterSelector selector,
        ProcessRules process,
        FileRules file,
        NetworkRules network,
        CapabilityRules capabilities,
        SyscallRules syscalls,
        List<PresetRule> presets,
        String apparmor,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) implements PolicySpec {
}
