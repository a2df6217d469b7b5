package dev.bulwark.policy;

/**
 * One validation failure: where it comes from (a file, "grpc", a Kubernetes object), the policy's name
 * (or "-" when unknown), the field path such as {@code spec.file.matchDirectories[2].dir}, and the rule broken.
 */
public record PolicyError(String source, String policy, String field, String message) {

    @Override
    public String toString() {
        return source + ": " + policy + ": " + field + ": " + message;
    }
}
