package dev.bulwark;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs every @Tag("bpf-lsm") test in one JVM, inside the guest (see the `vm` Maven profile): Java is slow
 * under emulation, so one start serves the whole suite. Exit status 0 only when every test passed.
 */
public final class GuestSuite {
    private GuestSuite() {
    }

    /** Prints every test that took 5 s or more, and each class's time: where the guest's minutes go. */
    static final class SlowTests implements org.junit.platform.launcher.TestExecutionListener {
        private final java.util.Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void executionStarted(org.junit.platform.launcher.TestIdentifier test) {
            started.put(test.getUniqueId(), System.nanoTime());
        }

        @Override
        public void executionFinished(org.junit.platform.launcher.TestIdentifier test,
                org.junit.platform.engine.TestExecutionResult result) {
            Long start = started.remove(test.getUniqueId());
            double seconds = start == null ? 0 : (System.nanoTime() - start) / 1e9;
            boolean isClass = test.getSource()
                    .filter(s -> s instanceof org.junit.platform.engine.support.descriptor.ClassSource).isPresent();
            if (isClass || (test.isTest() && seconds >= 5)) {
                System.out.printf("%7.1f s %s%s%n", seconds, isClass ? "class " : "  ", test.getDisplayName());
            }
        }
    }

    static org.junit.platform.engine.DiscoverySelector select(String classOrMethod) {
        return classOrMethod.contains("#") ? selectMethod(classOrMethod) : selectClass(classOrMethod);
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        System.out.printf("JVM up after %.1f s%n", (System.currentTimeMillis()
                - ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli()) / 1e3);
        String lsm = Files.readString(Path.of("/sys/kernel/security/lsm")).strip();
        System.out.println("guest kernel " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip()
                + ", LSMs: " + lsm);
        // -Dguest.class=dev.bulwark.enforce.SomeTest[#method][,...] runs those (while working on them); else the package.
        String only = System.getProperty("guest.class");
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                // Only the packages with kernel tests: discovery is slow under emulation.
                .selectors(only != null ? java.util.Arrays.stream(only.split(",")).map(GuestSuite::select).toList()
                        : java.util.List.of(selectPackage("dev.bulwark.enforce")))
                .filters(TagFilter.includeTags("bpf-lsm"))
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener, new SlowTests());
        TestExecutionSummary summary = listener.getSummary();
        summary.printFailuresTo(new PrintWriter(System.out, true), 20);
        long found = summary.getTestsFoundCount();
        long failed = summary.getTotalFailureCount() + summary.getTestsAbortedCount();
        System.out.printf("bpf-lsm suite in the guest: %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.out.println(summary.getTestsSucceededCount() + " passed, " + failed + " failed");
        System.exit(found > 0 && failed == 0 && summary.getTestsSkippedCount() == 0 ? 0 : 1);
    }
}
