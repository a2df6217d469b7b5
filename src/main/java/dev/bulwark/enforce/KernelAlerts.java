package dev.bulwark.enforce;

import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.bpf.KernelNames;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.policy.Posture;
import dev.bulwark.policy.Preset;
import dev.bulwark.settings.Throttle;
import dev.bulwark.telemetry.AgentLog;
import dev.bulwark.telemetry.Alert;
import dev.bulwark.telemetry.ProcessContext;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/** Turns an enforcer event and the rule set it was decided by into a KubeArmor alert. */
final class KernelAlerts {
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.enforce");
    static final String ENFORCER = "BPFLSM";
    static final String SELF_PROTECTION = BpfEnforcer.SELF_PROTECTION_POLICY;

    private KernelAlerts() {
    }

    static Alert alert(KernelEvent event, RuleSet ruleSet, String cluster, String hostName, Throttle throttle) {
        Endpoint endpoint = ruleSet.endpoint();
        if (event.decision() == KernelLayout.DECISION_THRESHOLD) {
            return threshold(endpoint, cluster, hostName, throttle, event.rule());
        }
        String policyName = Posture.ALERT_POLICY;
        String type = endpoint.isHost() ? "MatchedHostPolicy" : "MatchedPolicy";
        String severity = "";
        String tags = "";
        List<String> atags = List.of();
        String message = "";
        String action = event.denied() ? "Block" : "Audit";
        RuleSet.RuleInfo rule = event.byPosture() ? null : ruleSet.rule(event.rule());
        if (rule != null) {
            policyName = rule.policyName();
            type = rule.alertType();
            severity = rule.severity() == null ? "" : rule.severity().toString();
            atags = rule.tags() == null ? List.of() : rule.tags();
            tags = String.join(",", atags);
            message = rule.message() == null ? "" : rule.message();
            action = rule.action().name();
        }
        Instant now = Instant.now();
        String source = event.source().isEmpty() ? event.comm() : event.source();
        if (event.unnamedReason() != null) {
            // The kernel could not name the file or the query: denied because a Block rule or posture applies.
            policyName = Posture.ALERT_POLICY;
            message = (event.ruleClass() == RuleClass.DNS.ordinal() ? "query " : "path ") + event.unnamedReason()
                    + ": denied (fail closed)";
        }
        if (event.decision() == KernelLayout.DECISION_SELF) {
            // selfProtection: the enforcer's BPF objects, signals to and ptrace of the agent are its own.
            policyName = SELF_PROTECTION;
            message = "only the agent may do this (bulwark.selfProtection=false turns selfProtection off)";
            action = "Block";
        }
        if (event.decision() == KernelLayout.DECISION_GUARDED) {
            // A mount, chroot or pivot_root would give the endpoint's protected files names its rules do not know.
            message = "would give files other names than the rules of " + policyName + " know: denied"
                    + (message.isEmpty() ? "" : " (" + message + ")");
            action = "Block";
        }
        ProcessContext context = ProcessContext.of(cluster, hostName, endpoint, event.ppid(), event.tgid(),
                event.nsPpid(), event.nsTgid(), event.uid(), event.parent(), source, "", "", null);
        String preset = event.byPosture() ? null : presetOf(ruleSet, event.rule());
        String resource = resource(event);
        String lsm = "lsm=" + KernelLayout.hookName(event.hook());
        String data = switch (RuleClass.values()[event.ruleClass()]) {
            case NETWORK -> lsm + " " + resource;
            case DNS -> lsm + " domain=" + event.path();
            // anonymousMapExec names the memory asked for, as upstream; every other decision its hook
            default -> event.subject().prot() != 0 ? memory(event.subject()) : lsm;
        };
        if (event.ruleClass() == RuleClass.DNS.ordinal() && rule != null) {
            resource = domainOf(ruleSet, event.rule(), resource); // the policy's domain, as upstream reports it
        }
        return new Alert(now.getEpochSecond(), AgentLog.updatedTime(now), context, policyName, severity, tags, atags,
                message, type, source, operation(event.ruleClass()), resource, data,
                preset == null ? ENFORCER : "PRESET-" + preset, action,
                event.denied() ? "Permission denied" : "Passed", null, null);
    }

    /** The domain of the DNS rule with this id, or the queried name when no rule names one. */
    static String domainOf(RuleSet ruleSet, int rule, String queried) {
        return ruleSet.entries().stream().filter(e -> e.key().ruleClass() == RuleClass.DNS)
                .filter(e -> java.util.stream.Stream.of(e.allow(), e.audit(), e.block()).flatMap(List::stream)
                        .anyMatch(slot -> slot.rule() == rule))
                .map(e -> e.key().target()).findFirst().orElse(queried);
    }

    /** Upstream's name of the preset a rule id stands for (its alerts' Enforcer is "PRESET-" + it), or null. */
    static String presetOf(RuleSet ruleSet, int rule) {
        return ruleSet.presets().stream().filter(p -> p.rule() == rule).findFirst()
                .map(p -> Preset.named(p.preset()).map(Preset::enforcer).orElse(p.preset())).orElse(null);
    }

    /** An executable mapping as upstream's anonymousMapExec reports it: "PROT_READ|PROT_EXEC,MAP_PRIVATE|...". */
    static String memory(KernelEvent.Subject subject) {
        return KernelNames.flags(subject.prot(), KernelNames.PROT_FLAGS) + ","
                + KernelNames.flags(subject.mapFlags(), KernelNames.MAP_FLAGS);
    }

    /** KubeArmor's Operation for a rule class. */
    static String operation(int ruleClass) {
        return switch (RuleClass.values()[ruleClass]) {
            case PROCESS -> "Process";
            case FILE -> "File";
            case NETWORK, DNS -> "Network";
            case CAPABILITIES -> "Capabilities";
        };
    }

    /**
     * What was acted on: a path; a socket as KubeArmor's BPF-LSM names it ("protocol=TCP type=SOCK_STREAM", or
     * "type=SOCK_RAW" without a protocol); a capability ("CAP_NET_RAW").
     */
    static String resource(KernelEvent event) {
        KernelEvent.Subject subject = event.subject();
        return switch (RuleClass.values()[event.ruleClass()]) {
            case NETWORK -> (subject.protocol() == 0 ? "" : "protocol=" + KernelNames.protocol(subject.protocol())
                    + " ") + "type=" + KernelNames.socketType(subject.socketType());
            case CAPABILITIES -> KernelNames.capabilityName(subject.capability());
            default -> event.path();
        };
    }

    /** A budget ran out (a threshold event's rule is the budget, KernelLayout.BUDGET_*). */
    static Alert threshold(Endpoint endpoint, String cluster, String hostName, Throttle throttle, int budget) {
        return Alert.threshold(context(endpoint, cluster, hostName), endpoint.isHost(), ENFORCER,
                (budget == KernelLayout.BUDGET_POLICY ? Throttle.Budget.POLICY : Throttle.Budget.POSTURE).alerts(),
                throttle.maxAlertsPerSec(),
                throttle.throttleSec());
    }

    /** The endpoint's alerts resume: what was dropped meanwhile. */
    static Alert resumed(SuppressedAlerts.Summary summary, String cluster, String hostName, Throttle throttle) {
        return Alert.resumed(context(summary.endpoint(), cluster, hostName), summary.endpoint().isHost(), ENFORCER,
                summary.byPolicy(), throttle.maxAlertsPerSec(), throttle.throttleSec());
    }

    private static ProcessContext context(Endpoint endpoint, String cluster, String hostName) {
        return ProcessContext.of(cluster, hostName, endpoint, 0, 0, 0, 0, 0, "", "", "", "", null);
    }
}
