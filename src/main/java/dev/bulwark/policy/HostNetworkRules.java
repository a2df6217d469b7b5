package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** `spec.network` of host policies: as {@link NetworkRules}, but each protocol names its `fromSource`. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostNetworkRules(
        List<ProtocolRule> matchProtocols,
        @JsonProperty("matchDNSQueries") List<NetworkRules.DnsRule> matchDNSQueries,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) implements NetworkBlock {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProtocolRule(
            @Required @Pattern(Patterns.PROTOCOL_LIST) String protocol,
            @Required @Size(min = 1) List<Source> fromSource,
            /** Only when the process has a controlling pseudo-terminal. */
            Boolean pts,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements NetworkRules.ProtocolMatch {
    }

    @Override
    @JsonIgnore
    public List<? extends NetworkRules.ProtocolMatch> protocols() {
        return matchProtocols;
    }
}
