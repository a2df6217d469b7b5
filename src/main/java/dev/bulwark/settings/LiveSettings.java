package dev.bulwark.settings;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.Visibility;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.policy.Posture;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The settings that may change while the agent runs: default postures, visibility and alert throttling. They
 * start from the configuration; in Kubernetes mode the `kubearmor-config` ConfigMap replaces the defaults and
 * namespace annotations override them per namespace. Every change fires {@link Changed}, so rule sets and the
 * monitor's visibility follow at once.
 */
@Singleton
public class LiveSettings {
    /**
     * Something changed; consumers recompute what depends on settings, in this order (their observer methods'
     * {@code @Priority}): the policy engine's rules and the kernel's throttle first, then the monitor's
     * visibility (which depends on the rules), then what reports the settings (karmor's probe data file).
     */
    public record Changed(String what) {
        public static final int RULES = 200;
        public static final int MONITOR = 300;
        public static final int REPORTS = 400;
    }

    /** A namespace's own postures and visibility (null where it has none: the defaults apply). */
    public record NamespaceOverrides(Posture file, Posture network, Posture capabilities, List<Visibility> visibility) {
        public static final NamespaceOverrides NONE = new NamespaceOverrides(null, null, null, null);
    }

    /** The defaults, as a whole: what the configuration or the ConfigMap says. */
    public record Defaults(Postures container, Postures host, List<Visibility> visibility,
            List<Visibility> hostVisibility, Throttle throttle, Set<String> untrackedNamespaces, boolean matchArgs) {
    }

    private final Event<Changed> changes;
    private final Map<String, List<Visibility>> configuredNamespaceVisibility;
    private final Map<String, NamespaceOverrides> namespaces = new ConcurrentHashMap<>();
    private volatile Defaults defaults;

    @Inject
    public LiveSettings(BulwarkConfig config, Event<Changed> changes) {
        this.changes = changes;
        this.configuredNamespaceVisibility = config.namespaceVisibility();
        this.defaults = configured(config);
    }

    public static Defaults configured(BulwarkConfig config) {
        return new Defaults(
                new Postures(config.defaultFilePosture(), config.defaultNetworkPosture(),
                        config.defaultCapabilitiesPosture()),
                new Postures(config.hostDefaultFilePosture(), config.hostDefaultNetworkPosture(),
                        config.hostDefaultCapabilitiesPosture()),
                config.visibility(), config.hostVisibility(),
                config.alertThrottling() ? new Throttle(config.maxAlertPerSec(), config.throttleSec()) : Throttle.OFF,
                Set.copyOf(config.untrackedNs()), config.matchArgs());
    }

    public Defaults defaults() {
        return defaults;
    }

    public void defaults(Defaults updated) {
        if (!updated.equals(defaults)) {
            defaults = updated;
            changes.fire(new Changed("defaults"));
        }
    }

    public void namespace(String namespace, NamespaceOverrides overrides) {
        NamespaceOverrides previous = overrides.equals(NamespaceOverrides.NONE) ? namespaces.remove(namespace)
                : namespaces.put(namespace, overrides);
        if (!overrides.equals(previous == null ? NamespaceOverrides.NONE : previous)) {
            changes.fire(new Changed("namespace " + namespace));
        }
    }

    /** Containers of untracked namespaces (`untrackedNs`, as KubeArmor: kube-system, kubearmor) are left alone. */
    public boolean untracked(Endpoint endpoint) {
        return !endpoint.isHost() && defaults.untrackedNamespaces().contains(endpoint.namespace());
    }

    /** The postures an endpoint's rules compile with. */
    public Postures postures(Endpoint endpoint) {
        Defaults now = defaults;
        if (endpoint.isHost()) {
            return now.host();
        }
        NamespaceOverrides own = namespaces.getOrDefault(endpoint.namespace(), NamespaceOverrides.NONE);
        return new Postures(
                own.file() != null ? own.file() : now.container().file(),
                own.network() != null ? own.network() : now.container().network(),
                own.capabilities() != null ? own.capabilities() : now.container().capabilities());
    }

    /** What the monitor shows of an endpoint: its namespace's visibility, else the default for its scope. */
    public List<Visibility> visibility(Endpoint endpoint) {
        Defaults now = defaults;
        if (endpoint.isHost()) {
            return now.hostVisibility();
        }
        if (untracked(endpoint)) {
            return List.of(Visibility.none);
        }
        NamespaceOverrides own = namespaces.get(endpoint.namespace());
        if (own != null && own.visibility() != null) {
            return own.visibility();
        }
        return configuredNamespaceVisibility.getOrDefault(endpoint.namespace(), now.visibility());
    }
}
