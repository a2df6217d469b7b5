package dev.bulwark.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.k8s.PodWatcher;
import dev.bulwark.monitor.SystemMonitor;
import dev.bulwark.settings.LiveSettings;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The order in which a change reaches the stages is declared (each observer's {@code @Priority}, documented on
 * the event), not left to CDI: an endpoint change goes to the pod watcher, then the policy engine, then the
 * monitor; a settings change to the engine, then the monitor.
 */
@QuarkusTest
class ObserverOrderTest {
    @Inject
    BeanManager beans;

    List<Class<?>> observers(Object event) {
        return beans.resolveObserverMethods(event).stream()
                .sorted(Comparator.comparingInt(ObserverMethod::getPriority))
                .<Class<?>>map(ObserverMethod::getBeanClass)
                .filter(c -> c.getName().startsWith("dev.bulwark."))
                .toList();
    }

    @Test
    void endpointChangesReachThePodsThenTheRulesThenTheMonitor() {
        assertEquals(List.of(PodWatcher.class, PolicyEngine.class, SystemMonitor.class),
                observers(new EndpointRegistry.EndpointChanged(Endpoint.host("node-1", Map.of()), false)));
    }

    @Test
    void settingsChangesReachTheRulesThenTheMonitorThenTheReports() {
        assertEquals(List.of(PolicyEngine.class, SystemMonitor.class, ProbeDataFile.class),
                observers(new LiveSettings.Changed("test")));
    }
}
