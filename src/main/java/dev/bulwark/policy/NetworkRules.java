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

/** `spec.network` of container and cluster policies: protocols and DNS names. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkRules(
        List<ProtocolRule> matchProtocols,
        @JsonProperty("matchDNSQueries") List<DnsRule> matchDNSQueries,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) implements NetworkBlock {

    /** A protocol or socket type (or a comma list of them); `fromSource` is optional here. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProtocolRule(
            @Required @Pattern(Patterns.PROTOCOL_LIST) String protocol,
            List<Source> fromSource,
            /** Only when the process has a controlling pseudo-terminal. */
            Boolean pts,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements ProtocolMatch {
    }

    @Override
    @JsonIgnore
    public List<? extends ProtocolMatch> protocols() {
        return matchProtocols;
    }

    /** One protocol entry, as seen by the compiler whatever the policy kind. */
    public interface ProtocolMatch extends RuleMeta {
        String protocol();

        List<Source> fromSource();

        Boolean pts();
    }

    /** A DNS name queried over port 53; it also covers every name below it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DnsRule(
            @Required @Pattern(Patterns.DOMAIN) @Size(max = 253) String domain,
            List<Source> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }
}
