package dev.bulwark.telemetry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;
import java.util.List;

/** A KubeArmor alert (feeder.Alert), with its field names; the JSON form of the logs is this shape. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Alert(
        @JsonProperty("Timestamp") long timestamp,
        @JsonProperty("UpdatedTime") String updatedTime,
        @JsonUnwrapped ProcessContext context,
        @JsonProperty("PolicyName") String policyName,
        @JsonProperty("Severity") String severity,
        @JsonProperty("Tags") String tags,
        @JsonProperty("ATags") List<String> atags,
        @JsonProperty("Message") String message,
        @JsonProperty("Type") String type,
        @JsonProperty("Source") String source,
        @JsonProperty("Operation") String operation,
        @JsonProperty("Resource") String resource,
        @JsonProperty("Data") String data,
        @JsonProperty("Enforcer") String enforcer,
        @JsonProperty("Action") String action,
        @JsonProperty("Result") String result,
        @JsonProperty("MaxAlertsPerSec") Integer maxAlertsPerSec,
        @JsonProperty("DroppingAlertsInterval") Integer droppingAlertsInterval) {

    /**
     * KubeArmor's announcement that an endpoint's alerts pause for a while (enforcement does not); `which` says
     * which of them ("policy" matches, or "posture" ones: each has its own budget).
     */
    public static Alert threshold(ProcessContext endpoint, boolean host, String enforcer, String which,
            int maxAlertsPerSec, int throttleSec) {
        Instant now = Instant.now();
        return new Alert(now.getEpochSecond(), AgentLog.updatedTime(now), endpoint, "", "", "", List.of(),
                "Alert threshold reached: " + which + " alerts of this " + (host ? "host" : "container")
                        + " are dropped for " + throttleSec + " s (enforcement continues)",
                "SystemEvent", "", "AlertThreshold", "", "", enforcer, "", "", maxAlertsPerSec, throttleSec);
    }

    /** The end of a pause: how many alerts were dropped meanwhile, by policy ("DefaultPosture": the posture's). */
    public static Alert resumed(ProcessContext endpoint, boolean host, String enforcer, java.util.Map<String, Long>
            byPolicy, int maxAlertsPerSec, int throttleSec) {
        Instant now = Instant.now();
        long total = byPolicy.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder counts = new StringBuilder();
        new java.util.TreeMap<>(byPolicy).forEach((policy, count) ->
                counts.append(counts.isEmpty() ? "" : ", ").append(policy).append(": ").append(count));
        return new Alert(now.getEpochSecond(), AgentLog.updatedTime(now), endpoint, "", "", "", List.of(),
                "Alert threshold: alerts of this " + (host ? "host" : "container") + " resume; " + total
                        + " were dropped (" + counts + "), enforcement continued",
                "SystemEvent", "", "AlertThreshold", "", "", enforcer, "", "", maxAlertsPerSec, throttleSec);
    }
}
