package dev.bulwark.k8s;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigCheck;
import dev.bulwark.config.Visibility;
import dev.bulwark.policy.Posture;
import dev.bulwark.settings.LiveSettings.Defaults;
import dev.bulwark.settings.LiveSettings.NamespaceOverrides;
import dev.bulwark.settings.LiveSettings;
import dev.bulwark.settings.Postures;
import dev.bulwark.settings.Throttle;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * KubeArmor's live settings in a cluster: namespace annotations (`kubearmor-file-posture`,
 * `kubearmor-network-posture`, `kubearmor-capabilities-posture`: audit or block; `kubearmor-visibility`) and
 * the `kubearmor-config` ConfigMap (label `kubearmor-app=kubearmor-configmap`) with the default postures,
 * visibility, throttling, untracked namespaces (`untrackedNs`, comma-separated; empty tracks all) and
 * `matchArgs`. A value that is not valid is reported, naming where it is, and the configured
 * default is used instead.
 */
@Singleton
public class ClusterSettingsWatcher extends InformerWatcher {
    static final String CONFIGMAP_NAME = "kubearmor-config";
    static final String CONFIGMAP_LABEL = "kubearmor-app";
    static final String CONFIGMAP_LABEL_VALUE = "kubearmor-configmap";

    @Inject
    KubernetesClient client;
    @Inject
    LiveSettings settings;
    @Inject
    BulwarkConfig config;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.k8s");

    public synchronized void start() {
        inform(client.namespaces(), handler(this::namespace,
                ns -> settings.namespace(ns.getMetadata().getName(), NamespaceOverrides.NONE)));
        inform(client.configMaps().inAnyNamespace().withLabel(CONFIGMAP_LABEL,
                CONFIGMAP_LABEL_VALUE), handler(this::configMap, gone -> {
                    if (CONFIGMAP_NAME.equals(gone.getMetadata().getName())) {
                        settings.defaults(LiveSettings.configured(config));
                    }
                }));
    }

    private void namespace(Namespace namespace) {
        String name = namespace.getMetadata().getName();
        Map<String, String> annotations = namespace.getMetadata().getAnnotations() == null ? Map.of()
                : namespace.getMetadata().getAnnotations();
        Function<String, String> where = key -> "namespace " + name + ": annotation " + key;
        settings.namespace(name, new NamespaceOverrides(
                posture(annotations.get("kubearmor-file-posture"), where.apply("kubearmor-file-posture"), null),
                posture(annotations.get("kubearmor-network-posture"), where.apply("kubearmor-network-posture"), null),
                posture(annotations.get("kubearmor-capabilities-posture"),
                        where.apply("kubearmor-capabilities-posture"), null),
                visibility(annotations.get("kubearmor-visibility"), where.apply("kubearmor-visibility"), null)));
    }

    private void configMap(ConfigMap map) {
        if (!CONFIGMAP_NAME.equals(map.getMetadata().getName())) {
            return;
        }
        Map<String, String> data = map.getData() == null ? Map.of() : map.getData();
        Defaults configured = LiveSettings.configured(config);
        Function<String, String> where = key -> "ConfigMap " + map.getMetadata().getNamespace() + "/"
                + CONFIGMAP_NAME + ": " + key;
        Postures container = new Postures(
                posture(data.get("defaultFilePosture"), where.apply("defaultFilePosture"), configured.container().file()),
                posture(data.get("defaultNetworkPosture"), where.apply("defaultNetworkPosture"),
                        configured.container().network()),
                posture(data.get("defaultCapabilitiesPosture"), where.apply("defaultCapabilitiesPosture"),
                        configured.container().capabilities()));
        Postures host = new Postures(
                posture(data.get("hostDefaultFilePosture"), where.apply("hostDefaultFilePosture"),
                        configured.host().file()),
                posture(data.get("hostDefaultNetworkPosture"), where.apply("hostDefaultNetworkPosture"),
                        configured.host().network()),
                posture(data.get("hostDefaultCapabilitiesPosture"), where.apply("hostDefaultCapabilitiesPosture"),
                        configured.host().capabilities()));
        boolean throttling = bool(data.get("alertThrottling"), where.apply("alertThrottling"), config.alertThrottling());
        int maxPerSec = positive(data.get("maxAlertPerSec"), where.apply("maxAlertPerSec"), config.maxAlertPerSec());
        int throttleSec = positive(data.get("throttleSec"), where.apply("throttleSec"), config.throttleSec());
        settings.defaults(new Defaults(container, host,
                visibility(data.get("visibility"), where.apply("visibility"), configured.visibility()),
                visibility(data.get("hostVisibility"), where.apply("hostVisibility"), configured.hostVisibility()),
                throttling ? new Throttle(maxPerSec, throttleSec) : Throttle.OFF,
                namespaces(data.get("untrackedNs"), configured.untrackedNamespaces()),
                bool(data.get("matchArgs"), where.apply("matchArgs"), configured.matchArgs())));
    }

    private static Set<String> namespaces(String value, Set<String> fallback) {
        if (value == null) {
            return fallback;
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(n -> !n.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private Posture posture(String value, String where, Posture fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Posture.valueOf(value.strip().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            LOG.warn(where + ": must be audit or block, not '" + value + "'; the default applies");
            return fallback;
        }
    }

    private List<Visibility> visibility(String value, String where, List<Visibility> fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        List<Visibility> classes = new ArrayList<>();
        for (String item : value.split(",")) {
            try {
                classes.add(Visibility.valueOf(item.strip()));
            } catch (IllegalArgumentException e) {
                LOG.warn(where + ": '" + item.strip() + "' is not one of process, file, network, capabilities, dns,"
                        + " none; the default applies");
                return fallback;
            }
        }
        String problem = ConfigCheck.visibilityProblem(classes);
        if (problem != null) {
            LOG.warn(where + ": " + problem + "; the default applies");
            return fallback;
        }
        return List.copyOf(classes);
    }

    private boolean bool(String value, String where, boolean fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        if (!value.strip().equals("true") && !value.strip().equals("false")) {
            LOG.warn(where + ": must be true or false, not '" + value + "'; the default applies");
            return fallback;
        }
        return Boolean.parseBoolean(value.strip());
    }

    private int positive(String value, String where, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn(where + ": must be a whole number of at least 1, not '" + value + "'; the default applies");
        return fallback;
    }

    private static <R extends HasMetadata> ResourceEventHandler<R> handler(Consumer<R> changed, Consumer<R> deleted) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(R resource) {
                changed.accept(resource);
            }

            @Override
            public void onUpdate(R before, R after) {
                changed.accept(after);
            }

            @Override
            public void onDelete(R resource, boolean finalStateUnknown) {
                deleted.accept(resource);
            }
        };
    }

    @Override
    public String what() {
        return "namespaces and the kubearmor-config ConfigMap";
    }
}
