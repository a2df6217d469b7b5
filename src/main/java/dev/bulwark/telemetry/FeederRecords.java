package dev.bulwark.telemetry;

import dev.bulwark.api.feeder.ExecEvent;
import dev.bulwark.api.feeder.Podowner;
import java.util.LinkedHashMap;
import java.util.Map;

/** Alerts, logs and agent messages as KubeArmor's feeder messages, field for field. */
final class FeederRecords {
    private FeederRecords() {
    }

    static dev.bulwark.api.feeder.Alert alert(Alert alert) {
        ProcessContext c = alert.context();
        dev.bulwark.api.feeder.Alert.Builder b = dev.bulwark.api.feeder.Alert.newBuilder()
                .setTimestamp(alert.timestamp()).setUpdatedTime(text(alert.updatedTime()))
                .setClusterName(text(c.clusterName())).setHostName(text(c.hostName()))
                .setNamespaceName(text(c.namespaceName())).setPodName(text(c.podName()))
                .setContainerID(text(c.containerId())).setContainerName(text(c.containerName()))
                .setContainerImage(text(c.containerImage())).setLabels(text(c.labels()))
                .setHostPID(c.hostPid()).setHostPPID(c.hostPpid()).setPID(c.pid()).setPPID(c.ppid()).setUID(c.uid())
                .setParentProcessName(text(c.parentProcessName())).setProcessName(text(c.processName()))
                .setCwd(text(c.cwd())).setTTY(text(c.tty()))
                .setPolicyName(text(alert.policyName())).setSeverity(text(alert.severity()))
                .setTags(text(alert.tags())).setMessage(text(alert.message())).setType(text(alert.type()))
                .setSource(text(alert.source())).setOperation(text(alert.operation()))
                .setResource(text(alert.resource())).setData(text(alert.data())).setEnforcer(text(alert.enforcer()))
                .setAction(text(alert.action())).setResult(text(alert.result()))
                .putAllEventData(eventData(alert.operation(), alert.resource(), alert.data()));
        if (alert.atags() != null) {
            b.addAllATags(alert.atags());
        }
        if (alert.maxAlertsPerSec() != null) {
            b.setMaxAlertsPerSec(alert.maxAlertsPerSec());
        }
        if (alert.droppingAlertsInterval() != null) {
            b.setDroppingAlertsInterval(alert.droppingAlertsInterval());
        }
        if (c.owner() != null) {
            b.setOwner(owner(c.owner()));
        }
        if (c.execEvent() != null) {
            b.setExecEvent(execEvent(c.execEvent()));
        }
        return b.build();
    }

    static dev.bulwark.api.feeder.Log log(Log log) {
        ProcessContext c = log.context();
        dev.bulwark.api.feeder.Log.Builder b = dev.bulwark.api.feeder.Log.newBuilder()
                .setTimestamp(log.timestamp()).setUpdatedTime(text(log.updatedTime()))
                .setClusterName(text(c.clusterName())).setHostName(text(c.hostName()))
                .setNamespaceName(text(c.namespaceName())).setPodName(text(c.podName()))
                .setContainerID(text(c.containerId())).setContainerName(text(c.containerName()))
                .setContainerImage(text(c.containerImage())).setLabels(text(c.labels()))
                .setHostPID(c.hostPid()).setHostPPID(c.hostPpid()).setPID(c.pid()).setPPID(c.ppid()).setUID(c.uid())
                .setParentProcessName(text(c.parentProcessName())).setProcessName(text(c.processName()))
                .setCwd(text(c.cwd())).setTTY(text(c.tty()))
                .setType(text(log.type())).setSource(text(log.source())).setOperation(text(log.operation()))
                .setResource(text(log.resource())).setData(text(log.data())).setResult(text(log.result()))
                .putAllEventData(eventData(log.operation(), log.resource(), log.data()));
        if (c.owner() != null) {
            b.setOwner(owner(c.owner()));
        }
        if (c.execEvent() != null) {
            b.setExecEvent(execEvent(c.execEvent()));
        }
        return b.build();
    }

    static dev.bulwark.api.feeder.Message message(AgentLog.Message message) {
        return dev.bulwark.api.feeder.Message.newBuilder().setTimestamp(message.timestamp())
                .setUpdatedTime(text(message.updatedTime())).setClusterName(text(message.clusterName()))
                .setHostName(text(message.hostName())).setHostIP(text(message.hostIp())).setType(text(message.type()))
                .setLevel(text(message.level())).setMessage(text(message.message())).build();
    }

    /**
     * KubeArmor's EventData: the `key=value` pairs of Data (and of Resource for Network events), separated by
     * spaces or commas, each key with its first letter capitalised.
     */
    static Map<String, String> eventData(String operation, String resource, String data) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if ("Network".equals(operation)) {
            split(resource, pairs);
        }
        split(data, pairs);
        return pairs;
    }

    private static void split(String text, Map<String, String> pairs) {
        if (text == null) {
            return;
        }
        for (String token : text.split("[\\s,]+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                pairs.put(Character.toUpperCase(token.charAt(0)) + token.substring(1, eq), token.substring(eq + 1));
            }
        }
    }

    private static Podowner owner(ProcessContext.Owner owner) {
        return Podowner.newBuilder().setRef(text(owner.ref())).setName(text(owner.name()))
                .setNamespace(text(owner.namespace())).build();
    }

    private static ExecEvent execEvent(ProcessContext.ExecEvent event) {
        return ExecEvent.newBuilder().setExecID(text(event.execId()))
                .setExecutableName(text(event.executableName())).build();
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }
}
