package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** `spec.capabilities` of host policies: each capability names its `fromSource`. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostCapabilityRules(
        List<CapabilityRule> matchCapabilities,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) implements CapabilityBlock {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CapabilityRule(
            @Required @Pattern(Patterns.CAPABILITY_LIST) String capability,
            @Required @Size(min = 1) List<Source> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements CapabilityRules.CapabilityMatch {
    }

    @Override
    @JsonIgnore
    public List<? extends CapabilityRules.CapabilityMatch> capabilities() {
        return matchCapabilities;
    }
}
