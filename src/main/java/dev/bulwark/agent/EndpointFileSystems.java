package dev.bulwark.agent;

import dev.bulwark.compile.PathResolver;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Each endpoint's file system as the agent can see it, through procfs: the host's at /proc/1/root, a
 * container's at /proc/PID/root of one of its processes. Policy paths are resolved there, symlink by symlink
 * with the endpoint's root as "/", so that a rule on /bin/od also holds for /usr/bin/od where /bin is a link.
 */
public final class EndpointFileSystems {
    /** Links followed per path, as the kernel's limit (ELOOP). */
    private static final int MAX_LINKS = 40;

    private final Path procfs;
    /** A process found in each container's namespaces (looked up again when it is gone). */
    private final Map<KernelIdentity, Long> processes = new ConcurrentHashMap<>();

    public EndpointFileSystems(Path procfs) {
        this.procfs = procfs;
    }

    /** How the endpoint spells paths; NONE when its file system cannot be reached. */
    public PathResolver resolver(Endpoint endpoint) {
        Optional<Path> root = root(endpoint.identity());
        return root.<PathResolver>map(at -> path -> resolve(at, path)).orElse(PathResolver.NONE);
    }

    private Optional<Path> root(KernelIdentity identity) {
        if (identity.isHost()) {
            return Optional.of(procfs.resolve("1").resolve("root")).filter(Files::isDirectory);
        }
        Long known = processes.get(identity);
        if (known != null && in(known, identity)) {
            return Optional.of(procfs.resolve(Long.toString(known)).resolve("root"));
        }
        try (Stream<Path> entries = Files.list(procfs)) {
            Optional<Long> found = entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .map(Long::parseLong).filter(pid -> in(pid, identity)).findFirst();
            found.ifPresentOrElse(pid -> processes.put(identity, pid), () -> processes.remove(identity));
            return found.map(pid -> procfs.resolve(Long.toString(pid)).resolve("root"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private boolean in(long pid, KernelIdentity identity) {
        try {
            return KernelIdentity.ofProcess(procfs, pid).equals(identity);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The path with every symlink on it resolved under root, as far as it exists; the rest is kept as written.
     * An absolute link target starts again at root, never above it.
     */
    static String resolve(Path root, String path) {
        boolean directory = path.endsWith("/");
        Deque<String> todo = new ArrayDeque<>(parts(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.removeLast();
                }
                continue;
            }
            Path at = root.resolve(String.join("/", done)).resolve(part);
            if (Files.isSymbolicLink(at) && links++ < MAX_LINKS) {
                String target;
                try {
                    target = Files.readSymbolicLink(at).toString();
                } catch (IOException e) {
                    done.add(part);
                    continue;
                }
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> through = parts(target);
                for (int i = through.size() - 1; i >= 0; i--) {
                    todo.addFirst(through.get(i));
                }
                continue;
            }
            done.add(part);
            if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
                done.addAll(todo); // nothing more exists to resolve
                break;
            }
        }
        String resolved = "/" + String.join("/", done);
        return directory && !done.isEmpty() ? resolved + "/" : resolved;
    }

    private static List<String> parts(String path) {
        return Stream.of(path.split("/")).filter(p -> !p.isEmpty() && !p.equals(".")).toList();
    }

    /** The endpoint is gone: forget the process it was found by. */
    public void forget(KernelIdentity identity) {
        processes.remove(identity);
    }
}
