package dev.bulwark.agent;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A fresh policy directory holding one host policy before the agent starts. */
public class PolicyDirectoryResource implements QuarkusTestResourceLifecycleManager {
    static Path dir;

    static final String INITIAL = """
            apiVersion: security.kubearmor.com/v1
            kind: KubeArmorHostPolicy
            metadata: {name: initial}
            spec:
              nodeSelector: {matchLabels: {kubearmor.io/hostname: "*"}}
              file: {matchPaths: [{path: /etc/initial}]}
              action: Block
            """;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("bulwark-policies");
            Files.writeString(dir.resolve("initial.yaml"), INITIAL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("bulwark.policyDir", dir.toString(), "bulwark.host", "test-node");
    }

    @Override
    public void stop() {
    }
}
