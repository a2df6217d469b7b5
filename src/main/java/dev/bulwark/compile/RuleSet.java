package dev.bulwark.compile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.policy.Action;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.policy.Posture;
import dev.bulwark.policy.SyscallRules;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one endpoint is subject to, as the kernel maps will hold it: per class whether it is in
 * whitelist mode and its posture; one entry per distinct key with at most one rule per action; the presets;
 * the syscall matchers the monitor applies in user space; and the table that turns a rule id carried by a
 * kernel event back into policy name, severity, tags and message.
 */
@JsonPropertyOrder({"endpoint", "modes", "entries", "presets", "syscalls", "rules", "notEnforced"})
public record RuleSet(
        Endpoint endpoint,
        Map<RuleClass, Mode> modes,
        List<Entry> entries,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PresetEntry> presets,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SyscallMatcher> syscalls,
        List<RuleInfo> rules,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> notEnforced) {

    /** The operation classes with their own whitelist switch. */
    public enum RuleClass { PROCESS, FILE, NETWORK, CAPABILITIES, DNS }

    /** How a key is matched against what an operation names. */
    /**
     * How a key's target is compared. GLOB: a file with an extension in a directory ("/dir/*.ext");
     * GLOB_RECURSIVE: anywhere under it ("/dir/**&#47;*.ext"). ARGS is the kernel's own (a program with its exact
     * allowedArgs).
     */
    public enum Match {
        PATH, EXEC_NAME, DIRECTORY, DIRECTORY_RECURSIVE, GLOB, PROTOCOL, CAPABILITY, DOMAIN, ARGS, GLOB_RECURSIVE
    }

    /** Conditions that narrow a rule: it holds only for the owner, only for writes, only on a terminal. */
    public enum Flag { OWNER_ONLY, READ_ONLY, PTS }

    /** Whitelist mode (some Allow rule exists in the class) and what then happens to everything else. */
    public record Mode(boolean whitelist, Posture posture) {
    }

    /** A map key: class, how to match, the path / name / protocol, and the source executable ("" = any). */
    public record Key(RuleClass ruleClass, Match match, String target, String source) {
    }

    /** One rule's claim on a key for one action: its id, narrowing flags, and allowed exec arguments. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Slot(int rule, Set<Flag> flags, List<String> args) {
        int conditions() {
            return flags.size() + (args.isEmpty() ? 0 : 1);
        }
    }

    /** A key and, per action, the rule that holds it (null = none). Block beats Allow; Audit only reports. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(Key key, Slot allow, Slot audit, Slot block) {
    }

    public record PresetEntry(String preset, Action action, int rule) {
    }

    /** A syscalls rule, matched by the monitor in user space (always Audit). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record SyscallMatcher(int rule, List<String> syscalls, String path, boolean recursive,
            List<SyscallRules.SyscallSource> fromSource) {
    }

    /** What an alert says about the rule with this id; field is the rule's place in its policy. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record RuleInfo(int id, PolicyKind kind, String policy, String field, Integer severity, List<String> tags,
            String message, Action action) {

        /** The policy's name as alerts give it: without its namespace. */
        public String policyName() {
            return policy.contains("/") ? policy.substring(policy.indexOf('/') + 1) : policy;
        }

        /** KubeArmor's alert Type for this rule's policy. */
        public String alertType() {
            return kind == PolicyKind.KubeArmorHostPolicy ? "MatchedHostPolicy" : "MatchedPolicy";
        }
    }

    /** The rule with this id (as kernel events carry it), or null. */
    public RuleInfo rule(int id) {
        return id > 0 && id <= rules.size() ? rules.get(id - 1) : null;
    }
}
