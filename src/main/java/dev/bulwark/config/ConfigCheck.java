package dev.bulwark.config;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/** Range checks the types cannot express; a bad value stops the start with the key that holds it. */
@Startup
@Singleton
public class ConfigCheck {
    @Inject
    BulwarkConfig config;

    @PostConstruct
    void check() {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
    }

    static List<String> problems(BulwarkConfig config) {
        List<String> problems = new ArrayList<>();
        port(problems, "bulwark.grpc", config.grpc());
        port(problems, "bulwark.healthPort", config.healthPort());
        if (config.grpc() == config.healthPort()) {
            problems.add("bulwark.healthPort: must differ from bulwark.grpc (" + config.grpc() + ")");
        }
        atLeastOne(problems, "bulwark.maxAlertPerSec", config.maxAlertPerSec());
        atLeastOne(problems, "bulwark.throttleSec", config.throttleSec());
        atLeastOne(problems, "bulwark.maxEndpoints", config.maxEndpoints());
        atLeastOne(problems, "bulwark.maxRulesPerEndpoint", config.maxRulesPerEndpoint());
        atLeastOne(problems, "bulwark.maxGlobStates", config.maxGlobStates());
        atLeastOne(problems, "bulwark.subscriberQueueSize", config.subscriberQueueSize());
        if (config.grpcHealthPort() != 0) {
            port(problems, "bulwark.grpcHealthPort", config.grpcHealthPort());
        }
        visibility(problems, "bulwark.visibility", config.visibility());
        visibility(problems, "bulwark.hostVisibility", config.hostVisibility());
        if (config.logPath().isBlank()) {
            problems.add("bulwark.logPath: must be stdout, none or a file path");
        }
        return problems;
    }

    private static void port(List<String> problems, String key, int port) {
        if (port < 1 || port > 65535) {
            problems.add(key + ": must be a port between 1 and 65535, not " + port);
        }
    }

    private static void atLeastOne(List<String> problems, String key, int value) {
        if (value < 1) {
            problems.add(key + ": must be at least 1, not " + value);
        }
    }

    private static void visibility(List<String> problems, String key, List<Visibility> classes) {
        String problem = visibilityProblem(classes);
        if (problem != null) {
            problems.add(key + ": " + problem);
        }
    }

    /** What is wrong with a visibility list (configuration, ConfigMap or annotation), or null. */
    public static String visibilityProblem(List<Visibility> classes) {
        return classes.contains(Visibility.none) && classes.size() > 1
                ? "none cannot be combined with other classes" : null;
    }
}
