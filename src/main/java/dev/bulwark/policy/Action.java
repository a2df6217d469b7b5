package dev.bulwark.policy;

import java.util.Locale;

/** What a matching rule does. */
public enum Action {
    Allow, Audit, Block;

    /** The normalised action of a policy value; empty means "not set here, inherit". */
    public static Action parse(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        return valueOf(Character.toUpperCase(lower.charAt(0)) + lower.substring(1));
    }
}
