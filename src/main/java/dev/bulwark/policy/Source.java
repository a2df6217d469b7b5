package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A `fromSource` entry: the rule applies only to operations made by this executable. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Source(@Required @Pattern(Patterns.PATH) String path) {
}
