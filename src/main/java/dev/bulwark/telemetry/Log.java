package dev.bulwark.telemetry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** A KubeArmor log (feeder.Log): something a process did that visibility asks to see; Type ContainerLog or HostLog. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Log(
        @JsonProperty("Timestamp") long timestamp,
        @JsonProperty("UpdatedTime") String updatedTime,
        @JsonUnwrapped ProcessContext context,
        @JsonProperty("Type") String type,
        @JsonProperty("Source") String source,
        @JsonProperty("Operation") String operation,
        @JsonProperty("Resource") String resource,
        @JsonProperty("Data") String data,
        @JsonProperty("Result") String result) {
}
