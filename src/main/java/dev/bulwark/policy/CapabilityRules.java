package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** `spec.capabilities` of container and cluster policies. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CapabilityRules(
        List<CapabilityRule> matchCapabilities,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) implements CapabilityBlock {

    /** A Linux capability (or a comma list), with or without `cap_`, any case. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CapabilityRule(
            @Required @Pattern(Patterns.CAPABILITY_LIST) String capability,
            List<Source> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements CapabilityMatch {
    }

    @Override
    @JsonIgnore
    public List<? extends CapabilityMatch> capabilities() {
        return matchCapabilities;
    }

    /** One capability entry, as seen by the compiler whatever the policy kind. */
    public interface CapabilityMatch extends RuleMeta {
        String capability();

        List<Source> fromSource();
    }
}
