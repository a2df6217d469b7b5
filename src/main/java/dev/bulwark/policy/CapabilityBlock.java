package dev.bulwark.policy;

import java.util.List;

/** The capabilities block of any policy kind. */
public interface CapabilityBlock extends RuleMeta {
    List<? extends CapabilityRules.CapabilityMatch> capabilities();
}
