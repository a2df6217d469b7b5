package dev.bulwark.policy;

import java.util.List;

/** The network block of any policy kind: host policies require `fromSource` on protocols, the others do not. */
public interface NetworkBlock extends RuleMeta {
    List<? extends NetworkRules.ProtocolMatch> protocols();

    List<NetworkRules.DnsRule> matchDNSQueries();
}
