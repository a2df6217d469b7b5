package dev.bulwark.policy;

/**
 * The `matchPatterns` forms the kernel holds in hashed keys, looked up as a path is walked: a plain path; the files
 * in a directory (`/dir/*`); a whole tree (`/dir/**`, `/dir/**&#47;*`); the files with an extension in a directory
 * (`/dir/*.ext`) or anywhere under it (`/dir/**&#47;*.ext`). The directory part is literal; an extension has no dot,
 * slash or operator. Every other glob of {@link GlobSyntax} goes into the endpoint's glob automaton.
 */
public record Glob(Form form, String directory, String extension) {
    public enum Form { PATH, FILES_IN, TREE, EXTENSION_IN, EXTENSION_UNDER }

    /** The pattern's hashed form, or null when it has none. */
    public static Glob parse(String pattern) {
        if (!wild(pattern)) {
            return new Glob(Form.PATH, pattern, null);
        }
        for (String tree : new String[] {"/**/*", "/**"}) {
            if (pattern.endsWith(tree) && !wild(pattern.substring(0, pattern.length() - tree.length()))) {
                return new Glob(Form.TREE, pattern.substring(0, pattern.length() - tree.length()) + "/", null);
            }
        }
        if (pattern.endsWith("/*") && !wild(pattern.substring(0, pattern.length() - 2))) {
            return new Glob(Form.FILES_IN, pattern.substring(0, pattern.length() - 1), null);
        }
        int star = pattern.lastIndexOf("/*.");
        if (star < 0) {
            return null;
        }
        String extension = pattern.substring(star + 2);
        if (extension.length() < 2 || extension.indexOf('.', 1) >= 0 || wild(extension) || extension.contains("/")) {
            return null;
        }
        String directory = pattern.substring(0, star + 1);
        if (directory.endsWith("/**/") && !wild(directory.substring(0, directory.length() - 4))) {
            return new Glob(Form.EXTENSION_UNDER, directory.substring(0, directory.length() - 3), extension);
        }
        return wild(directory) ? null : new Glob(Form.EXTENSION_IN, directory, extension);
    }

    private static boolean wild(String text) {
        return GlobSyntax.wild(text);
    }
}
