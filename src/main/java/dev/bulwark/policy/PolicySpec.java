package dev.bulwark.policy;

import java.util.List;

/** What the compiler reads from a spec, whatever the policy kind. */
public interface PolicySpec extends RuleMeta {
    ProcessRules process();

    FileRules file();

    NetworkBlock network();

    CapabilityBlock capabilities();

    SyscallRules syscalls();

    List<PresetRule> presets();

    /** A raw AppArmor profile body: accepted and kept, not enforced by the BPF-LSM enforcer. */
    String apparmor();
}
