package dev.bulwark;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waiting for what happens asynchronously, with Awaitility: the probe is asked until its value satisfies the
 * condition or the time is up, and the last value is returned either way, so that the caller's own assertion
 * says what was wrong.
 */
public final class Eventually {
    private Eventually() {
    }

    public static <T> T poll(Duration within, Duration every, Supplier<T> probe, Predicate<? super T> done) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            Awaitility.await().atMost(within).pollDelay(Duration.ZERO).pollInterval(every)
                    .until(() -> {
                        last.set(probe.get());
                        return done.test(last.get());
                    });
        } catch (ConditionTimeoutException timeUp) {
            // the caller asserts on the last value
        }
        return last.get();
    }
}
