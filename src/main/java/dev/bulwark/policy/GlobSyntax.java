package dev.bulwark.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * AppArmor's glob grammar, which `matchPatterns` use (upstream's AppArmor enforcer hands them to AppArmor as
 * written): `*` any run of bytes within one path component, `**` any run across components, `?` one byte other
 * than `/`, `[abc]`, `[a-z]`, `[^abc]` (or `[!abc]`) one byte of a set (never `/`), `{a,b}` either alternative
 * (nested, at most {@value #MAX_ALTERNATIVES} spellings in all), and `\` taking the next character literally.
 * As globstar (and the hashed forms) have it, `/**&#47;` also stands for a single slash: zero directories, so
 * `/a/**&#47;b` matches /a/b. A pattern is matched against a path's UTF-8 bytes.
 */
public final class GlobSyntax {
    /** Most spellings one pattern may expand to through its alternations. */
    public static final int MAX_ALTERNATIVES = 256;

    /** What one step of a pattern consumes. */
    public enum Kind {
        /** One byte of a set. */
        ONE,
        /** `*`: any run of bytes other than `/` (possibly none). */
        IN_PART,
        /** `**`: any run of bytes (possibly none). */
        ANY
    }

    /** One step; bytes is the set ONE takes (null for the runs). */
    public record Atom(Kind kind, BitSet bytes) {
        static Atom one(int b) {
            BitSet set = new BitSet(256);
            set.set(b & 0xff);
            return new Atom(Kind.ONE, set);
        }

        public boolean takes(int b) {
            return switch (kind) {
                case ONE -> bytes.get(b & 0xff);
                case IN_PART -> b != '/';
                case ANY -> true;
            };
        }
    }

    /** A pattern that is not a well-formed glob; the message says where. */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message);
        }
    }

    private GlobSyntax() {
    }

    /** The pattern's spellings (one per choice of its alternations), each as its steps. */
    public static List<List<Atom>> parse(String pattern) throws Malformed {
        List<List<Atom>> spellings = new ArrayList<>();
        for (String spelling : alternatives(pattern)) {
            spellings.add(atoms(spelling));
        }
        return spellings;
    }

    /** The part of a spelling (without alternations) before its first operator: a literal path prefix. */
    public static String literalPrefix(String spelling) {
        for (int i = 0; i < spelling.length(); i++) {
            if ("*?[\\".indexOf(spelling.charAt(i)) >= 0) {
                return spelling.substring(0, i);
            }
        }
        return spelling;
    }

    /** Whether the `**` at atoms[at] sits between two slashes, so that it and the slash after it may match nothing. */
    public static boolean zeroDirectories(List<Atom> atoms, int at) {
        return atoms.get(at).kind() == Kind.ANY && at > 0 && at + 1 < atoms.size() && slash(atoms.get(at - 1))
                && slash(atoms.get(at + 1));
    }

    private static boolean slash(Atom atom) {
        return atom.kind() == Kind.ONE && atom.bytes().cardinality() == 1 && atom.bytes().get('/');
    }

    /** Whether the pattern uses any of the grammar's operators (else it is a plain path). */
    public static boolean wild(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if ("*?[{\\".indexOf(pattern.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Expands the first top-level `{...}` and recurses: every spelling without alternations. Before a `{`, `}` and
     * `,` are plain characters, as in AppArmor.
     */
    public static List<String> alternatives(String pattern) throws Malformed {
        List<String> choices = new ArrayList<>();
        int open = -1;
        int close = -1;
        int depth = 0;
        int start = 0;
        for (int i = 0; i < pattern.length() && close < 0; i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = classEnd(pattern, i);
            } else if (c == '{' && open < 0) {
                open = i;
                start = i + 1;
            } else if (open < 0) {
                continue;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
            } else if (c == '}') {
                choices.add(pattern.substring(start, i));
                close = i;
            } else if (c == ',' && depth == 0) {
                choices.add(pattern.substring(start, i));
                start = i + 1;
            }
        }
        if (open < 0) {
            return List.of(pattern);
        }
        if (close < 0) {
            throw new Malformed("the { at " + open + " is never closed");
        }
        List<String> spellings = new ArrayList<>();
        for (String choice : choices) {
            for (String rest : alternatives(pattern.substring(0, open) + choice + pattern.substring(close + 1))) {
                spellings.add(rest);
                if (spellings.size() > MAX_ALTERNATIVES) {
                    throw new Malformed("its alternations spell more than " + MAX_ALTERNATIVES + " patterns");
                }
            }
        }
        return spellings;
    }

    /** Where the character class opened at `open` ends (its `]`). */
    private static int classEnd(String pattern, int open) throws Malformed {
        int i = open + 1;
        if (i < pattern.length() && (pattern.charAt(i) == '^' || pattern.charAt(i) == '!')) {
            i++;
        }
        if (i < pattern.length() && pattern.charAt(i) == ']') {
            i++; // a leading ] is a member
        }
        for (; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '\\') {
                i++;
            } else if (pattern.charAt(i) == ']') {
                return i;
            }
        }
        throw new Malformed("the [ at " + open + " is never closed");
    }

    /** The steps of a spelling without alternations. */
    public static List<Atom> atoms(String spelling) throws Malformed {
        List<Atom> atoms = new ArrayList<>();
        for (int i = 0; i < spelling.length(); i++) {
            char c = spelling.charAt(i);
            if (c == '*') {
                boolean across = i + 1 < spelling.length() && spelling.charAt(i + 1) == '*';
                while (i + 1 < spelling.length() && spelling.charAt(i + 1) == '*') {
                    i++; // *** is **
                }
                Kind kind = across ? Kind.ANY : Kind.IN_PART;
                // Runs next to each other are one run, the wider of the two.
                if (!atoms.isEmpty() && atoms.getLast().kind() != Kind.ONE) {
                    if (kind == Kind.ANY) {
                        atoms.set(atoms.size() - 1, new Atom(Kind.ANY, null));
                    }
                } else {
                    atoms.add(new Atom(kind, null));
                }
            } else if (c == '?') {
                BitSet set = new BitSet(256);
                set.set(0, 256);
                set.clear('/');
                atoms.add(new Atom(Kind.ONE, set));
            } else if (c == '[') {
                int end = classEnd(spelling, i);
                atoms.add(new Atom(Kind.ONE, members(spelling.substring(i + 1, end))));
                i = end;
            } else {
                if (c == '\\') {
                    if (++i == spelling.length()) {
                        throw new Malformed("it ends in a lone \\");
                    }
                    c = spelling.charAt(i);
                }
                int end = Character.isHighSurrogate(c) && i + 1 < spelling.length() ? i + 2 : i + 1;
                for (byte b : spelling.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    atoms.add(Atom.one(b));
                }
                i = end - 1;
            }
        }
        return atoms;
    }

    /** The bytes of a class's body ("a-z", "^abc"); `/` is never a member, as AppArmor has it. */
    private static BitSet members(String body) throws Malformed {
        boolean negated = !body.isEmpty() && (body.charAt(0) == '^' || body.charAt(0) == '!');
        BitSet set = new BitSet(256);
        int i = negated ? 1 : 0;
        while (i < body.length()) {
            char low = body.charAt(i);
            if (low == '\\' && i + 1 < body.length()) {
                low = body.charAt(++i);
            }
            char high = low;
            if (i + 2 < body.length() && body.charAt(i + 1) == '-') {
                high = body.charAt(i + 2);
                if (high == '\\' && i + 3 < body.length()) {
                    high = body.charAt(i + 3);
                    i++;
                }
                i += 2;
            }
            if (low > 0x7f || high > 0x7f) {
                throw new Malformed("its class [" + body + "] has a character beyond ASCII (a class matches one byte)");
            }
            if (high < low) {
                throw new Malformed("its class [" + body + "] has the range " + low + "-" + high + " backwards");
            }
            set.set(low, high + 1);
            i++;
        }
        if (negated) {
            set.flip(0, 256);
        }
        set.clear('/');
        return set;
    }
}
