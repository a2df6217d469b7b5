package dev.bulwark.monitor;

import static dev.bulwark.monitor.AlertThrottle.Verdict.ANNOUNCE;
import static dev.bulwark.monitor.AlertThrottle.Verdict.DROP;
import static dev.bulwark.monitor.AlertThrottle.Verdict.REPORT;
import static dev.bulwark.settings.Throttle.Budget.POLICY;
import static dev.bulwark.settings.Throttle.Budget.POSTURE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.settings.Throttle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The monitor's alert throttle behaves like the kernel's: a burst, one announcement, silence, then alerts again. */
class AlertThrottleTest {
    static final long MS = 1_000_000L;
    final KernelIdentity web = new KernelIdentity(4026532001L, 4026532002L);
    final KernelIdentity db = new KernelIdentity(4026532011L, 4026532012L);

    @Test
    void aBurstIsCutAtTheLimitAnnouncedOnceAndSilencedForThrottleSec() {
        AlertThrottle throttle = new AlertThrottle(new Throttle(3, 2));
        List<AlertThrottle.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            verdicts.add(throttle.admit(web, POLICY, 1_000 * MS + i * MS));
        }
        assertEquals(List.of(REPORT, REPORT, REPORT, ANNOUNCE, DROP, DROP), verdicts);
        assertEquals(REPORT, throttle.admit(db, POLICY, 1_005 * MS), "other endpoints are not affected");
        assertEquals(DROP, throttle.admit(web, POLICY, 2_900 * MS), "still within throttleSec of the announcement");
        assertEquals(REPORT, throttle.admit(web, POLICY, 3_004 * MS), "alerts resume after throttleSec");
    }

    /** Posture noise spends its own budget: a flood of it leaves a policy's alerts reported. */
    @Test
    void aFloodOfPostureAlertsDoesNotSilenceAPolicysAlerts() {
        AlertThrottle throttle = new AlertThrottle(new Throttle(3, 30));
        List<AlertThrottle.Verdict> posture = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            posture.add(throttle.admit(web, POSTURE, 1_000 * MS + i * MS));
        }
        assertEquals(List.of(REPORT, REPORT, REPORT, ANNOUNCE, DROP), posture.subList(0, 5));
        assertEquals(List.of(REPORT, REPORT), List.of(throttle.admit(web, POLICY, 1_200 * MS),
                throttle.admit(web, POLICY, 1_201 * MS)), "the policy's budget is untouched");
    }

    @Test
    void aSteadyRateUnderTheLimitIsNeverThrottled() {
        AlertThrottle throttle = new AlertThrottle(new Throttle(10, 30));
        for (int i = 0; i < 1000; i++) {
            assertEquals(REPORT, throttle.admit(web, POLICY, i * 100 * MS), "alert " + i); // 10 a second, exactly
        }
    }

    @Test
    void offMeansEverythingIsReported() {
        AlertThrottle throttle = new AlertThrottle(Throttle.OFF);
        for (int i = 0; i < 100; i++) {
            assertEquals(REPORT, throttle.admit(web, POLICY, MS));
        }
    }
}
