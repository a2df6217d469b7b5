package dev.bulwark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.policy.Posture;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** KubeArmor's keys and defaults, and start-up failures that name the key at fault. */
class BulwarkConfigTest {
    static BulwarkConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(BulwarkConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
        return config.getConfigMapping(BulwarkConfig.class);
    }

    @Test
    void defaultsAreKubeArmors() {
        BulwarkConfig config = config(Map.of());
        assertEquals("default", config.cluster());
        assertEquals(32767, config.grpc());
        assertEquals("none", config.logPath());
        assertEquals(List.of(Visibility.process, Visibility.file, Visibility.network, Visibility.capabilities),
                config.visibility());
        assertEquals(Posture.audit, config.defaultFilePosture());
        assertEquals(Posture.audit, config.hostDefaultCapabilitiesPosture());
        assertTrue(config.alertThrottling());
        assertEquals(10, config.maxAlertPerSec());
        assertEquals(30, config.throttleSec());
        assertEquals(List.of("kube-system", "kubearmor"), config.untrackedNs());
        assertEquals("/sys/fs/bpf", config.bpfFsPath());
        assertTrue(config.matchArgs());
        assertTrue(config.enableKubeArmorPolicy());
        assertEquals(false, config.enableKubeArmorHostPolicy());
        assertEquals(Path.of("/etc/bulwark/policies"), config.policyDir());
        assertEquals(List.of(), ConfigCheck.problems(config));
    }

    @Test
    void kubeArmorKeysAreSpelledAsKubeArmorSpellsThem() {
        BulwarkConfig config = config(Map.of("bulwark.defaultNetworkPosture", "block",
                "bulwark.hostVisibility", "process,dns", "bulwark.maxAlertPerSec", "3"));
        assertEquals(Posture.block, config.defaultNetworkPosture());
        assertEquals(List.of(Visibility.process, Visibility.dns), config.hostVisibility());
        assertEquals(3, config.maxAlertPerSec());
    }

    @Test
    void anUnconvertibleValueNamesItsKey() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> config(Map.of("bulwark.defaultFilePosture", "deny")));
        assertTrue(e.getMessage().contains("bulwark.defaultFilePosture"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> config(Map.of("bulwark.visibility", "process,files")));
        assertTrue(e.getMessage().contains("bulwark.visibility"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> config(Map.of("bulwark.grpc", "many")));
        assertTrue(e.getMessage().contains("bulwark.grpc"), e.getMessage());
    }

    @Test
    void outOfRangeValuesNameTheirKey() {
        assertEquals(List.of(
                "bulwark.grpc: must be a port between 1 and 65535, not 70000",
                "bulwark.maxAlertPerSec: must be at least 1, not 0",
                "bulwark.throttleSec: must be at least 1, not -5",
                "bulwark.visibility: none cannot be combined with other classes"),
                ConfigCheck.problems(config(Map.of("bulwark.grpc", "70000", "bulwark.maxAlertPerSec", "0",
                        "bulwark.throttleSec", "-5", "bulwark.visibility", "none,file"))));
        assertEquals(List.of("bulwark.healthPort: must differ from bulwark.grpc (32767)"),
                ConfigCheck.problems(config(Map.of("bulwark.healthPort", "32767"))));
    }
}
