package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a throttle held back is counted by policy and said once, when the announced silence ends. */
class SuppressedAlertsTest {
    final Endpoint web = Endpoint.container("shop", "web-1", "nginx", Map.of(),
            new KernelIdentity(4026532001L, 4026532002L));

    @Test
    void countsByPolicyAreSaidOnceWhenTheSilenceEnds() {
        SuppressedAlerts suppressed = new SuppressedAlerts();
        List<String> registered = new ArrayList<>();
        suppressed.onNewPolicy(registered::add);
        suppressed.count(web, "web-secrets", 5); // counts may come before the announcement
        suppressed.silenced(web, 2_000);
        suppressed.count(web, SuppressedAlerts.POSTURE, 40);
        suppressed.count(web, "web-secrets", 2);
        assertEquals(List.of(), suppressed.ended(1_999), "still silent");
        List<SuppressedAlerts.Summary> ended = suppressed.ended(2_000);
        assertEquals(1, ended.size());
        assertEquals(Map.of("web-secrets", 7L, "DefaultPosture", 40L), ended.getFirst().byPolicy());
        assertEquals(47, ended.getFirst().total());
        assertEquals(List.of(), suppressed.ended(3_000), "said once");
        suppressed.count(web, "web-secrets", 1);
        assertEquals(List.of(), suppressed.ended(4_000), "no silence announced since: nothing ends");
        assertEquals(8, suppressed.total("web-secrets"));
        assertEquals(List.of("web-secrets", "DefaultPosture"), registered, "each policy registered once");
    }
}
