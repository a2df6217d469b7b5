package dev.bulwark.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.Visibility;
import dev.bulwark.enforce.RuleSetWriter;
import dev.bulwark.intake.PolicyIntake;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.settings.LiveSettings;
import dev.bulwark.settings.Postures;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The file `karmor probe` reads (upstream's agent writes /tmp/karmorProbeData.cfg, karmor reads it on a systemd
 * host and through `kubectl exec cat` in the DaemonSet's pod): the node, the active LSM enforcer, whether
 * container and host policies apply, the default postures and the host's visibility, in upstream's field names.
 * Written at start and again whenever the live settings change.
 */
@ApplicationScoped
public class ProbeDataFile {
    private static final Logger LOG = Logger.getLogger("bulwark.agent");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    BulwarkConfig config;
    @Inject
    LiveSettings settings;
    @Inject
    RuleSetWriter writer;
    @Inject
    PolicyIntake intake;

    void onStart(@Observes @Priority(50) StartupEvent start) {
        write();
    }

    void onSettings(@Observes @Priority(LiveSettings.Changed.REPORTS) LiveSettings.Changed change) {
        write();
    }

    /** What the file says, as upstream's KubeArmorProbeData. */
    ObjectNode probeData() {
        ObjectNode data = JSON.createObjectNode();
        data.put("OSImage", osImage());
        data.put("KernelVersion", read(Path.of("/proc/sys/kernel/osrelease")));
        data.put("KubeletVersion", "");
        data.put("ContainerRuntime", "");
        // Upstream's names of its enforcers; "" where nothing enforces (audit-only mode), as upstream without one.
        data.put("ActiveLSM", writer.enforces() ? "BPFLSM" : "");
        data.put("KernelHeaderPresent", true);
        data.put("HostSecurity", writer.enforces() && intake.enabled(PolicyKind.KubeArmorHostPolicy));
        data.put("ContainerSecurity", writer.enforces() && intake.enabled(PolicyKind.KubeArmorPolicy));
        LiveSettings.Defaults defaults = settings.defaults();
        data.set("ContainerDefaultPosture", postures(defaults.container()));
        data.set("HostDefaultPosture", postures(defaults.host()));
        data.put("HostVisibility", defaults.hostVisibility().stream().filter(v -> v != Visibility.none)
                .map(Visibility::name).collect(Collectors.joining(",")));
        return data;
    }

    private static ObjectNode postures(Postures postures) {
        ObjectNode node = JSON.createObjectNode();
        node.put("file", postures.file().name());
        node.put("network", postures.network().name());
        node.put("capabilties", postures.capabilities().name()); // sic: upstream's field name
        return node;
    }

    /** Written whole or not at all: a reader never sees half a file. */
    synchronized void write() {
        Path file = Path.of(config.probeDataPath());
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path part = Files.createTempFile(parent, ".karmorProbeData", ".part");
            Files.writeString(part, JSON.writeValueAsString(probeData()));
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.warn("The probe data file " + file + " (karmor probe) could not be written: " + e.getMessage());
        }
    }

    private static String osImage() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/etc/os-release"));
        } catch (IOException e) {
            return "";
        }
        return lines.stream().filter(l -> l.startsWith("PRETTY_NAME=")).findFirst()
                .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", "")).orElse("");
    }

    private static String read(Path path) {
        try {
            return Files.readString(path).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
