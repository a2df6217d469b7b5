package dev.bulwark.compile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
 * whitelist mode and its posture; one entry per distinct key with at most one rule per action; the glob
 * automaton of the patterns no key can hold; the presets;
 * the syscall matchers the monitor applies in user space; and the table that turns a rule id carried by a
 * kernel event back into policy name, severity, tags and message.
 */
@JsonPropertyOrder({"endpoint", "modes", "guard", "entries", "automaton", "presets", "syscalls", "rules",
        "notEnforced"})
public record RuleSet(
        Endpoint endpoint,
        Map<RuleClass, Mode> modes,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) int guard,
        List<Entry> entries,
        @JsonIgnore GlobAutomaton globs,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PresetEntry> presets,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SyscallMatcher> syscalls,
        List<RuleInfo> rules,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> notEnforced) {

    /** The operation classes with their own whitelist switch. */
    public enum RuleClass { PROCESS, FILE, NETWORK, CAPABILITIES, DNS }

    /**
     * How a key's target is compared. GLOB: a file with an extension in a directory ("/dir/*.ext");
     * GLOB_RECURSIVE: anywhere under it ("/dir/**&#47;*.ext"). ANCESTOR: a directory ("/dir/") with paths that
     * Block rules protect below it, which must not be renamed or removed. ARGS is the kernel's own (a program
     * with its exact allowedArgs).
     */
    public enum Match {
        PATH, EXEC_NAME, DIRECTORY, DIRECTORY_RECURSIVE, GLOB, PROTOCOL, CAPABILITY, DOMAIN, ARGS, GLOB_RECURSIVE,
        ANCESTOR
    }

    /** Conditions that narrow a rule: it holds only for the owner, only for writes, only on a terminal. */
    public enum Flag { OWNER_ONLY, READ_ONLY, PTS }

    /**
     * The facts of one operation that the conditions test: whether it writes, whether the acting user owns the
     * file (for a file being created: its directory), whether the process has a controlling terminal. The kernel
     * computes the context once per decision and reads the rule each action holds in it (BW_CTX_*).
     */
    public record Context(boolean write, boolean owner, boolean tty) {
        /** Every context, in the kernel's index order. */
        public static final List<Context> ALL = java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> new Context((i & 1) != 0, (i & 2) != 0, (i & 4) != 0)).toList();

        public int index() {
            return (write ? 1 : 0) | (owner ? 2 : 0) | (tty ? 4 : 0);
        }
    }

    /** Whitelist mode (some Allow rule exists in the class) and what then happens to everything else. */
    public record Mode(boolean whitelist, Posture posture) {
    }

    /** A map key: class, how to match, the path / name / protocol, and the source executable ("" = any). */
    public record Key(RuleClass ruleClass, Match match, String target, String source) {
    }

    /** One rule's claim on a key for one action: its id, narrowing flags, and allowed exec arguments. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Slot(int rule, Set<Flag> flags, List<String> args) {
        /**
         * Whether the rule holds in this context. A Block or Audit narrowed by readOnly concerns writes, by
         * ownerOnly everyone but the owner; an Allow narrowed by readOnly allows reads, by ownerOnly the owner.
         * pts narrows either to processes on a terminal.
         */
        public boolean holds(Action action, Context context) {
            boolean allow = action == Action.Allow;
            return !(flags.contains(Flag.READ_ONLY) && context.write() == allow)
                    && !(flags.contains(Flag.OWNER_ONLY) && context.owner() != allow)
                    && !(flags.contains(Flag.PTS) && !context.tty());
        }
    }

    /**
     * A key and, per action, every rule that claims it, in rule id order. In each context the first that holds
     * is the key's rule for that action (for Allow, one without allowedArgs first: it holds whatever the
     * arguments). Which key decides is not a matter of order: a Block that holds on any matching key denies.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Entry(Key key, List<Slot> allow, List<Slot> audit, List<Slot> block) {
        public List<Slot> slots(Action action) {
            return switch (action) {
                case Allow -> allow;
                case Audit -> audit;
                case Block -> block;
            };
        }

        /** The rule of this action that holds in the context, or null. */
        public Slot holder(Action action, Context context) {
            return RuleSet.holder(slots(action), action, context);
        }
    }

    /** Of the rules one action has on a key (in rule id order), the one that holds in the context, or null. */
    static Slot holder(List<Slot> slots, Action action, Context context) {
        Slot found = null;
        for (Slot slot : slots) {
            boolean broader = found == null || !found.args().isEmpty() && slot.args().isEmpty();
            if (slot.holds(action, context) && broader) {
                found = slot;
            }
        }
        return found;
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

    /** The glob automaton as `bulwark compile` shows it: its size and patterns (absent when there is none). */
    @JsonProperty("automaton")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public GlobAutomaton shownGlobs() {
        return globs.isEmpty() ? null : globs;
    }

    /** The rule with this id (as kernel events carry it), or null. */
    public RuleInfo rule(int id) {
        return id > 0 && id <= rules.size() ? rules.get(id - 1) : null;
    }
}
