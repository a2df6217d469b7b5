package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** Spec of a KubeArmorHostPolicy: rules for the processes of the nodes the node selector matches. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KubeArmorHostPolicySpec(
        @Required Selectors.NodeSelector nodeSelector,
        ProcessRules process,
        FileRules file,
        HostNetworkRules network,
        HostCapabilityRules capabilities,
        SyscallRules syscalls,
        DeviceRules device,
        List<PresetRule> presets,
        String apparmor,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) implements PolicySpec {
}
