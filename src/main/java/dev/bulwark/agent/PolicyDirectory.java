package dev.bulwark.agent;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.intake.PolicyIntake.Applied;
import dev.bulwark.intake.PolicyIntake.Conflict;
import dev.bulwark.intake.PolicyIntake.Invalid;
import dev.bulwark.intake.PolicyIntake.NotInForce;
import dev.bulwark.intake.PolicyIntake;
import dev.bulwark.intake.PolicySource.PolicyFile;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Standalone policy source: every *.yaml, *.yml and *.json file of `policyDir`, watched. A file is applied as a
 * whole; if it has any error, every error is reported and the last good version of that file stays in force.
 */
@Singleton
public class PolicyDirectory {
    /** Editors write in bursts; wait this long after an event so a file is read once it is complete. */
    private static final long SETTLE_MILLIS = 150;

    @Inject
    BulwarkConfig config;
    @Inject
    PolicyIntake intake;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.agent");

    private WatchService watcher;
    private Thread thread;

    /** Loads the directory and starts watching it; false when there is no such directory. */
    public boolean start() {
        Path dir = config.policyDir();
        if (!Files.isDirectory(dir)) {
            LOG.warn("Policy directory " + dir + " does not exist: no policies from files (bulwark.policyDir)");
            return false;
        }
        try {
            watcher = FileSystems.getDefault().newWatchService();
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            LOG.error("Cannot watch " + dir + ": " + e.getMessage() + "; its policies are read once");
        }
        loadAll(dir);
        if (watcher != null) {
            thread = Thread.ofPlatform().daemon().name("policy-directory").start(() -> watch(dir));
        }
        return true;
    }

    private void loadAll(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(PolicyDirectory::isPolicyFile).sorted().forEach(this::load);
        } catch (IOException e) {
            LOG.error("Cannot list " + dir + ": " + e.getMessage());
        }
        // A file that vanished while no event could tell (an overflow) must not keep its policies.
        intake.sources().stream()
                .filter(source -> source instanceof PolicyFile file && dir.equals(file.path().getParent())
                        && !Files.exists(file.path()))
                .forEach(intake::withdraw);
    }

    private void watch(Path dir) {
        try {
            while (true) {
                WatchKey key = watcher.take();
                TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
                Set<Path> changed = new TreeSet<>();
                boolean overflow = false;
                for (; key != null; key = watcher.poll()) {
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                            overflow = true;
                        } else {
                            changed.add(dir.resolve((Path) event.context()));
                        }
                    }
                    key.reset();
                }
                if (overflow) {
                    loadAll(dir);
                }
                changed.stream().filter(PolicyDirectory::isPolicyFile).forEach(this::reload);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // Never let a surprise end the watch silently.
            LOG.error("Policy directory watch stopped: " + e);
        }
    }

    private void reload(Path file) {
        if (Files.exists(file)) {
            load(file);
        } else {
            intake.withdraw(new PolicyFile(file));
            LOG.info("Policies of " + file + " removed");
        }
    }

    private void load(Path file) {
        switch (intake.submit(new PolicyFile(file))) {
            case Applied applied -> LOG.info("Applied " + applied.policies().size() + " policies from " + file);
            case NotInForce not -> LOG.error(file + ": read, but not in force: " + String.join("; ", not.reasons()));
            case Conflict conflict -> {
                LOG.error(file + ": " + conflict.reason());
                rejected(file, conflict.lastGoodStays());
            }
            case Invalid invalid -> rejected(file, invalid.lastGoodStays());
        }
    }

    private static void rejected(Path file, boolean lastGoodStays) {
        LOG.warn(file + " rejected; " + (lastGoodStays ? "its last good version stays in force"
                : "none of its policies are applied"));
    }

    private static boolean isPolicyFile(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    @PreDestroy
    void stop() throws IOException {
        if (watcher != null) {
            watcher.close();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
