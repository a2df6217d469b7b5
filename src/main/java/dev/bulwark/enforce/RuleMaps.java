package dev.bulwark.enforce;

import dev.bulwark.bpf.KernelNames;
import dev.bulwark.policy.Action;
import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.bpf.Bpf;
import static dev.bulwark.bpf.KernelLayout.ENDPOINT_MODES;
import static dev.bulwark.bpf.KernelLayout.RULE_KEY;
import static dev.bulwark.bpf.KernelLayout.RULE_VALUE;
import static dev.bulwark.bpf.KernelLayout.offset;

import dev.bulwark.compile.RuleSet;
import dev.bulwark.compile.RuleSet.Entry;
import dev.bulwark.compile.RuleSet.Flag;
import dev.bulwark.compile.RuleSet.Match;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet.Slot;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.policy.Posture;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Writes rule sets into the enforcer's maps. An endpoint's rules go into a fresh inner map that then replaces
 * the old one in a single update of the outer map, so the kernel sees either the old rules or the new ones.
 * What the kernel cannot check yet is written fail-closed (an Allow it cannot narrow is left out; a Block is
 * kept without its narrowing) and reported.
 */
final class RuleMaps {
    /** What the kernel programs match today. */
    private static final Set<Match> PATH_MATCHES = EnumSet.of(Match.PATH, Match.EXEC_NAME, Match.DIRECTORY,
            Match.DIRECTORY_RECURSIVE, Match.GLOB, Match.GLOB_RECURSIVE);

    private final Bpf bpf;
    private final int endpointRulesFd;
    private final int endpointModesFd;
    private final int maxRulesPerEndpoint;

    RuleMaps(Bpf bpf, int maxRulesPerEndpoint) {
        this.bpf = bpf;
        this.endpointRulesFd = bpf.mapFd("endpoint_rules");
        this.endpointModesFd = bpf.mapFd("endpoint_modes");
        this.maxRulesPerEndpoint = maxRulesPerEndpoint;
    }

    /** Replaces the endpoint's rules; returns what could not be enforced as written. */
    List<String> write(RuleSet ruleSet) {
        List<String> notes = new ArrayList<>();
        List<Entry> entries = kernelEntries(ruleSet);
        long keys = entries.size()
                + entries.stream().filter(e -> e.allow() != null && !e.allow().args().isEmpty()).count();
        if (keys > maxRulesPerEndpoint) {
            throw new IllegalStateException("the rule set has " + keys + " kernel entries, more than"
                    + " bulwark.maxRulesPerEndpoint (" + maxRulesPerEndpoint + "); its rules were not changed");
        }
        int inner = bpf.createLike("rules_template", Math.max(1, maxRulesPerEndpoint));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(RULE_KEY);
            MemorySegment value = arena.allocate(RULE_VALUE);
            for (Entry entry : entries) {
                if (!supported(entry.key())) {
                    notes.add(describe(entry) + ": not enforced in the kernel yet");
                    continue;
                }
                key.fill((byte) 0);
                value.fill((byte) 0);
                key.set(ValueLayout.JAVA_LONG, offset(RULE_KEY, "target"), target(entry.key()));
                key.set(ValueLayout.JAVA_LONG, offset(RULE_KEY, "source"),
                        entry.key().source().isEmpty() ? 0 : Fnv.hash(entry.key().source()));
                key.set(ValueLayout.JAVA_INT, offset(RULE_KEY, "rule_class"), entry.key().ruleClass().ordinal());
                key.set(ValueLayout.JAVA_INT, offset(RULE_KEY, "match"), entry.key().match().ordinal());
                slot(value, "allow", entry.allow(), notes, entry);
                slot(value, "audit", entry.audit(), notes, entry);
                slot(value, "block", entry.block(), notes, entry);
                Bpf.update(inner, key, value, "the rule map entry of " + describe(entry));
                Slot allow = entry.allow();
                if (allow != null && !allow.args().isEmpty()) {
                    // The exact arguments: a second key the kernel looks up when the Allow says FLAG_ARGS.
                    if (allow.args().stream().anyMatch(a -> a.getBytes(StandardCharsets.UTF_8).length
                            >= KernelLayout.ARG_MAX)) {
                        notes.add(describe(entry) + ": an allowed argument of " + KernelLayout.ARG_MAX
                                + " bytes or more never matches (fail closed)");
                    }
                    key.set(ValueLayout.JAVA_LONG, offset(RULE_KEY, "target"),
                            target(entry.key()) ^ (Fnv.args(allow.args()) * Fnv.PRIME));
                    key.set(ValueLayout.JAVA_INT, offset(RULE_KEY, "match"), Match.ARGS.ordinal());
                    Bpf.update(inner, key, value, "the allowedArgs entry of " + describe(entry));
                }
            }
            MemorySegment endpoint = KernelLayout.endpointKey(arena, ruleSet.endpoint().identity());
            MemorySegment innerFd = arena.allocate(ValueLayout.JAVA_INT);
            innerFd.set(ValueLayout.JAVA_INT, 0, inner);
            Bpf.update(endpointRulesFd, endpoint, innerFd, "the endpoint's rule map");
            Bpf.update(endpointModesFd, endpoint, modes(arena, ruleSet, notes), "the endpoint's modes");
        } finally {
            Bpf.closeFd(inner); // the outer map holds its own reference
        }
        return notes;
    }

    /** Kubernetes' DNS search suffixes a container's resolver appends, in the order it tries them. */
    static List<String> searchSuffixes(String namespace) {
        return List.of("." + namespace + ".svc.cluster.local", ".svc.cluster.local", ".cluster.local");
    }

    /**
     * The entries as the kernel gets them: a container's DNS rules also hold for the names its resolver makes
     * of the domain with Kubernetes' search suffixes ("google.com.shop.svc.cluster.local"), written first so that
     * an explicit rule for such a name takes precedence.
     */
    static List<Entry> kernelEntries(RuleSet ruleSet) {
        Endpoint endpoint = ruleSet.endpoint();
        if (endpoint.isHost() || endpoint.namespace() == null) {
            return ruleSet.entries();
        }
        List<Entry> entries = new ArrayList<>();
        for (Entry entry : ruleSet.entries()) {
            RuleSet.Key key = entry.key();
            if (key.match() == Match.DOMAIN) {
                for (String suffix : searchSuffixes(endpoint.namespace())) {
                    entries.add(new Entry(new RuleSet.Key(key.ruleClass(), key.match(), key.target() + suffix,
                            key.source()), entry.allow(), entry.audit(), entry.block()));
                }
            }
        }
        entries.addAll(ruleSet.entries());
        return entries;
    }

    void throttle(Throttle throttle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zero = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment config = arena.allocate(KernelLayout.THROTTLE_CONFIG);
            config.set(ValueLayout.JAVA_INT, offset(KernelLayout.THROTTLE_CONFIG, "max_alerts_per_sec"),
                    throttle.maxAlertsPerSec());
            config.set(ValueLayout.JAVA_LONG, offset(KernelLayout.THROTTLE_CONFIG, "throttle_ns"),
                    throttle.throttleSec() * 1_000_000_000L);
            Bpf.update(bpf.mapFd("throttle_config"), zero, config, "the alert throttle");
        }
    }

    void remove(KernelIdentity identity) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment endpoint = KernelLayout.endpointKey(arena, identity);
            Bpf.delete(endpointModesFd, endpoint);
            Bpf.delete(endpointRulesFd, endpoint);
        }
    }

    private static void slot(MemorySegment value, String action, Slot slot, List<String> notes, Entry entry) {
        if (slot == null) {
            return;
        }
        int flags = 0;
        for (Flag flag : slot.flags()) {
            switch (flag) {
                case OWNER_ONLY -> flags |= KernelLayout.FLAG_OWNER_ONLY;
                case READ_ONLY -> flags |= KernelLayout.FLAG_READ_ONLY;
                case PTS -> flags |= KernelLayout.FLAG_PTS;
            }
        }
        if (!slot.args().isEmpty() && action.equals("allow")) {
            flags |= KernelLayout.FLAG_ARGS;
        }
        if (!slot.args().isEmpty() && !action.equals("allow")) {
            notes.add(describe(entry) + ": allowedArgs are not checked in the kernel yet; the " + action
                    + " rule applies to every exec (fail closed)");
        }
        value.set(ValueLayout.JAVA_INT, offset(RULE_VALUE, action, "rule"), slot.rule());
        value.set(ValueLayout.JAVA_INT, offset(RULE_VALUE, action, "flags"), flags);
    }

    private static MemorySegment modes(Arena arena, RuleSet ruleSet, List<String> notes) {
        MemorySegment modes = arena.allocate(ENDPOINT_MODES);
        for (RuleSet.PresetEntry preset : ruleSet.presets()) {
            int slot = KernelLayout.PRESETS.indexOf(preset.preset());
            if (slot < 0 || preset.action() == Action.Allow) {
                notes.add("preset " + preset.preset() + " (" + preset.action() + "): not enforced in the kernel yet");
                continue;
            }
            String field = preset.action() == Action.Block ? "preset_block" : "preset_audit";
            // A Block and an Audit of the same preset: the Block decides, the Audit's id is kept for its reports.
            modes.set(ValueLayout.JAVA_INT, offset(ENDPOINT_MODES, field) + 4L * slot, preset.rule());
        }
        for (RuleClass ruleClass : RuleClass.values()) {
            RuleSet.Mode mode = ruleSet.modes().get(ruleClass);
            modes.set(ValueLayout.JAVA_BYTE, offset(ENDPOINT_MODES, "whitelist") + ruleClass.ordinal(),
                    (byte) (mode.whitelist() ? 1 : 0));
            modes.set(ValueLayout.JAVA_BYTE, offset(ENDPOINT_MODES, "posture_block") + ruleClass.ordinal(),
                    (byte) (mode.posture() == Posture.block ? 1 : 0));
            boolean hasBlock = ruleSet.entries().stream()
                    .anyMatch(e -> e.key().ruleClass() == ruleClass && e.block() != null);
            modes.set(ValueLayout.JAVA_BYTE, offset(ENDPOINT_MODES, "has_block") + ruleClass.ordinal(),
                    (byte) (hasBlock ? 1 : 0));
        }
        return modes;
    }

    private static boolean supported(RuleSet.Key key) {
        return switch (key.ruleClass()) {
            case PROCESS, FILE -> PATH_MATCHES.contains(key.match());
            case NETWORK -> key.match() == Match.PROTOCOL;
            case CAPABILITIES -> key.match() == Match.CAPABILITY && KernelNames.capability(key.target()) >= 0;
            case DNS -> key.match() == Match.DOMAIN;
        };
    }

    /** A key's target as the kernel looks it up: a path's hash, or a socket's or capability's number. */
    static long target(RuleSet.Key key) {
        return switch (key.match()) {
            case PROTOCOL -> KernelNames.protocolKey(key.target());
            case CAPABILITY -> KernelNames.capability(key.target());
            // backwards, so the kernel meets every parent domain in one pass from the end of a name
            case DOMAIN -> Fnv.hash(new StringBuilder(key.target()).reverse().toString());
            // "/dir/*.ext", "/dir/**/*.ext": the directory's hash mixed with the extension's, as the kernel mixes them
            case GLOB, GLOB_RECURSIVE -> {
                String marker = key.match() == Match.GLOB ? "*" : "**/*";
                int at = key.target().lastIndexOf(marker);
                yield Fnv.hash(key.target().substring(0, at))
                        ^ (Fnv.hash(key.target().substring(at + marker.length())) * Fnv.PRIME);
            }
            default -> Fnv.hash(key.target());
        };
    }

    private static String describe(Entry entry) {
        return entry.key().ruleClass() + " " + entry.key().match() + " " + entry.key().target()
                + (entry.key().source().isEmpty() ? "" : " from " + entry.key().source());
    }
}
