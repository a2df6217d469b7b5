package dev.bulwark.enforce;

import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.telemetry.AgentLog;
import dev.bulwark.telemetry.Alert;
import dev.bulwark.telemetry.ProcessContext;
import java.time.Instant;
import java.util.List;

/** Turns an enforcer event and the rule set it was decided by into a KubeArmor alert. */
final class KernelAlerts {
    static final String ENFORCER = "BPFLSM";

    private KernelAlerts() {
    }

    static Alert alert(KernelEvent event, RuleSet ruleSet, String cluster, String hostName, Throttle throttle) {
        Endpoint endpoint = ruleSet.endpoint();
        if (event.decision() == KernelLayout.DECISION_THRESHOLD) {
            return threshold(endpoint, cluster, hostName, throttle);
        }
        boolean exec = event.hook() == KernelLayout.HOOK_BPRM_CHECK;
        String policyName = "DefaultPosture";
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
        if (event.pathTruncated()) {
            // The kernel could not assemble the path: denied because a Block rule or posture applies.
            policyName = "DefaultPosture";
            message = "path too long or too deep to match: denied (fail closed)";
        }
        ProcessContext context = ProcessContext.of(cluster, hostName, endpoint, event.ppid(), event.tgid(),
                event.nsPpid(), event.nsTgid(), event.uid(), event.parent(), source, "", "", null);
        return new Alert(now.getEpochSecond(), AgentLog.updatedTime(now), context, policyName, severity, tags, atags,
                message, type, source, exec ? "Process" : "File", event.path(),
                "lsm=" + KernelLayout.hookName(event.hook()), ENFORCER, action,
                event.denied() ? "Permission denied" : "Passed", null, null);
    }

    static Alert threshold(Endpoint endpoint, String cluster, String hostName, Throttle throttle) {
        return Alert.threshold(ProcessContext.of(cluster, hostName, endpoint, 0, 0, 0, 0, 0, "", "", "", "", null),
                endpoint.isHost(), ENFORCER, throttle.maxAlertsPerSec(), throttle.throttleSec());
    }
}
