package dev.bulwark.intake;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.intake.PolicySource.GrpcRequest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Policies applied through `policy.PolicyService` survive a restart: each is a JSON file under
 * `policyStorePath`, written atomically when it is applied and deleted when it is deleted.
 */
@Singleton
public class KeptPolicies {
    private static final Logger LOG = Logger.getLogger("bulwark.intake");

    /** A kept copy. */
    public record Kept(Path file) {
    }

    private final Path dir;

    @Inject
    public KeptPolicies(BulwarkConfig config) {
        this.dir = config.policyStorePath();
    }

    void keep(GrpcRequest request, String document) {
        try {
            Files.createDirectories(dir);
            Path file = file(request);
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(tmp, document, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.error(request.describe() + " applied but not kept in " + dir + " (bulwark.policyStorePath): "
                    + e.getMessage() + "; it will not survive a restart");
        }
    }

    void forget(GrpcRequest request) {
        try {
            Files.deleteIfExists(file(request));
        } catch (IOException e) {
            LOG.error(request.describe() + " removed, but its copy in " + dir
                    + " could not be deleted and will come back at restart: " + e.getMessage());
        }
    }

    List<Kept> all() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().map(Kept::new).toList();
        } catch (IOException e) {
            LOG.error("Cannot restore policies from " + dir + " (bulwark.policyStorePath): " + e.getMessage());
            return List.of();
        }
    }

    private Path file(GrpcRequest request) {
        return dir.resolve(request.kind().name() + "." + request.qualifiedName().replace('/', '.') + ".json");
    }
}
