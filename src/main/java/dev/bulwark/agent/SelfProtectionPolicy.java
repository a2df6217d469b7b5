package dev.bulwark.agent;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyReader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * selfProtection's file rules, as a host policy the agent gives itself (never in the store, never listed): the
 * agent's program, its policy directory, its policy store and its pinned BPF objects are read-only for every
 * process but the agent, which the enforcer does not judge.
 */
final class SelfProtectionPolicy {
    static final String NAME = dev.bulwark.enforce.BpfEnforcer.SELF_PROTECTION_POLICY;

    private SelfProtectionPolicy() {
    }

    /** The directories it keeps read-only, each ending with "/". */
    static Set<String> directories(BulwarkConfig config) {
        Set<String> directories = new LinkedHashSet<>();
        directories.add(config.policyDir().toAbsolutePath().normalize() + "/");
        directories.add(config.policyStorePath().toAbsolutePath().normalize() + "/");
        directories.add(Path.of(config.bpfFsPath(), "bulwark").toAbsolutePath().normalize() + "/");
        Path program = program();
        if (program != null) {
            directories.add(program + "/");
        }
        return directories;
    }

    /** Where the agent's own code lies: the directory of its jar (quarkus-app's, or a native image's). */
    static Path program() {
        try {
            Path code = Path.of(SelfProtectionPolicy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.isDirectory(code) ? code : code.getParent(); // classes (tests, dev) or a jar
            // A Quarkus fast-jar keeps the application under app/, lib/ and quarkus/ next to quarkus-run.jar.
            if (dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("app")) {
                dir = dir.getParent();
            }
            return dir == null ? null : dir.toAbsolutePath().normalize();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    static Policy of(BulwarkConfig config) {
        List<String> rules = new ArrayList<>();
        for (String dir : directories(config)) {
            rules.add("    - {dir: '" + dir.replace("'", "''") + "', recursive: true, readOnly: true}");
        }
        String yaml = """
                apiVersion: security.kubearmor.com/v1
                kind: KubeArmorHostPolicy
                metadata: {name: %s}
                spec:
                  nodeSelector: {matchLabels: {kubearmor.io/hostname: '*'}}
                  severity: 10
                  message: only the agent may change its program, policies and BPF objects (selfProtection)
                  file:
                    matchDirectories:
                %s
                  action: Block
                """.formatted(NAME, String.join("\n", rules));
        PolicyReader.Result read = PolicyReader.read(yaml, "selfProtection");
        if (!read.errors().isEmpty()) {
            throw new IllegalStateException("selfProtection's policy: " + read.errors());
        }
        return read.policies().getFirst();
    }
}
