package dev.bulwark.intake;

import dev.bulwark.policy.PolicyKind;
import java.nio.file.Path;

/**
 * Where policies came from. Each source is replaced and removed as a whole, so a bad edit of one file or one
 * object never disturbs the others.
 */
public sealed interface PolicySource {
    /** A stable name of the source, unique among all: the file's path, `grpc:Kind/name`, `k8s:Kind/name`. */
    String id();

    /** How the agent's messages name it. */
    String describe();

    /** A file of `policyDir`: all the policies in it. */
    record PolicyFile(Path path) implements PolicySource {
        @Override
        public String id() {
            return path.toString();
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }

    /** One policy applied through `policy.PolicyService` (karmor), kept under `policyStorePath`. */
    record GrpcRequest(PolicyKind kind, String qualifiedName) implements PolicySource {
        @Override
        public String id() {
            return "grpc:" + kind.name() + "/" + qualifiedName;
        }

        @Override
        public String describe() {
            return kind + " " + qualifiedName + " (policy.PolicyService)";
        }
    }

    /** One object of the API server. */
    record ApiObject(PolicyKind kind, String qualifiedName) implements PolicySource {
        @Override
        public String id() {
            return "k8s:" + kind.name() + "/" + qualifiedName;
        }

        @Override
        public String describe() {
            return kind + " " + qualifiedName + " (API server)";
        }
    }
}
