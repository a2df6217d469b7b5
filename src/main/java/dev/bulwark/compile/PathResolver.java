package dev.bulwark.compile;

/**
 * How an endpoint's file system spells a policy path: the same path with the symlinks on it resolved, the
 * name the kernel sees when the file is used (usrmerge's /bin/od is /usr/bin/od). The compiler keys a rule
 * under both spellings.
 */
@FunctionalInterface
public interface PathResolver {
    /** Paths stay as the policy writes them (tests, golden files, `bulwark compile` without a root). */
    PathResolver NONE = path -> path;

    /**
     * @param path a normalised absolute path; a directory ends in "/"
     * @return the path with every symlink on it resolved as far as it exists (a directory keeps its final
     *     slash), or the path itself
     */
    String resolve(String path);
}
