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
        if (config.maxAlertPerSec() < 1) {
            problems.add("bulwark.maxAlertPerSec: must be at least 1, not " + config.maxAlertPerSec());
        }
        if (config.throttleSec() < 1) {
            problems.add("bulwark.throttleSec: must be at least 1, not " + config.throttleSec());
        }
        if (config.maxEndpoints() < 1) {
            problems.add("bulwark.maxEndpoints: must be at least 1, not " + config.maxEndpoints());
        }
        if (config.maxRulesPerEndpoint() < 1) {
            problems.add("bulwark.maxRulesPerEndpoint: must be at least 1, not " + config.maxRulesPerEndpoint());
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

    private static void visibility(List<String> problems, String key, List<Visibility> classes) {
        if (classes.contains(Visibility.none) && classes.size() > 1) {
            problems.add(key + ": none cannot be combined with other classes");
        }
    }
}
