package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A curated protection switched on by name (`spec.presets[]`). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PresetRule(
        @Required @Pattern(Preset.PATTERN) String name,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) {
}
