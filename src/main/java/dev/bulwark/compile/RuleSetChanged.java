package dev.bulwark.compile;

import dev.bulwark.identity.Endpoint;

/** An endpoint's rule set is now in force (ruleSet null: the endpoint is gone). A CDI event. */
public record RuleSetChanged(Endpoint endpoint, RuleSet ruleSet) {
}
