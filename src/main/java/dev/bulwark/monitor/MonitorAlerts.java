package dev.bulwark.monitor;

import dev.bulwark.compile.RuleMatcher;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet.RuleInfo;
import dev.bulwark.compile.RuleSet.Slot;
import dev.bulwark.compile.RuleSet.SyscallMatcher;
import dev.bulwark.monitor.MonitorLogs.Description;
import dev.bulwark.policy.SyscallRules.SyscallSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules a monitor event matches, in user space: syscall rules always (the kernel has no hook for them),
 * and process and file rules only where no BPF-LSM enforcer decides (audit-only mode, where a Block rule is
 * reported as "Audit (Block)", as KubeArmor does). At most one alert per rule kind and operation.
 */
final class MonitorAlerts {
    private MonitorAlerts() {
    }

    /** What a matched rule puts into an alert. */
    record Matched(String policyName, String severity, String tags, List<String> atags, String message, String type,
            String operation, String action) {

        static Matched of(RuleInfo rule, String operation, String action) {
            List<String> tags = rule.tags() == null ? List.of() : rule.tags();
            return new Matched(rule.policyName(), rule.severity() == null ? "" : rule.severity().toString(),
                    String.join(",", tags), tags, rule.message() == null ? "" : rule.message(), rule.alertType(),
                    operation, action);
        }
    }

    /**
     * @param actor the executable acting (for an exec: the program that asked for it)
     * @param matchPaths whether process and file rules are matched here (no enforcer in the kernel)
     */
    static List<Matched> alerts(MonitorEvent event, Description description, RuleSet ruleSet, RuleMatcher matcher,
            String actor, boolean matchPaths) {
        List<Matched> alerts = new ArrayList<>();
        String syscall = Syscalls.name(event.syscall());
        for (SyscallMatcher rule : ruleSet.syscalls()) {
            if (rule.syscalls().contains(syscall) && fromSource(rule.fromSource(), actor)
                    && (rule.path() == null || (description.path() != null
                            && covers(rule.path(), rule.recursive(), description.path())))) {
                alerts.add(Matched.of(ruleSet.rule(rule.rule()), "Syscall", "Audit"));
                break;
            }
        }
        if (matchPaths && matcher != null && description.path() != null
                && (description.ruleClass() == RuleClass.FILE || description.ruleClass() == RuleClass.PROCESS)) {
            RuleMatcher.Matched matched = matcher.match(description.ruleClass(), description.path(), actor);
            Slot slot = matched.block() != null ? matched.block() : matched.audit();
            if (slot != null) {
                alerts.add(Matched.of(ruleSet.rule(slot.rule()), description.operation(),
                        matched.block() != null ? "Audit (Block)" : "Audit"));
            }
        }
        return alerts;
    }

    /** No sources: anyone. Otherwise the actor is one of the paths, or in one of the directories. */
    static boolean fromSource(List<SyscallSource> sources, String actor) {
        if (sources.isEmpty()) {
            return true;
        }
        for (SyscallSource source : sources) {
            if (source.path() != null && source.path().equals(actor)) {
                return true;
            }
            if (source.dir() != null && covers(source.dir(), Boolean.TRUE.equals(source.recursive()), actor)) {
                return true;
            }
        }
        return false;
    }

    /** A file path is itself; a directory ("/x/") covers what is directly in it, or (recursive) below it. */
    static boolean covers(String rule, boolean recursive, String path) {
        if (!rule.endsWith("/")) {
            return rule.equals(path);
        }
        if (!path.startsWith(rule)) {
            return false;
        }
        return recursive || path.indexOf('/', rule.length()) < 0;
    }
}
