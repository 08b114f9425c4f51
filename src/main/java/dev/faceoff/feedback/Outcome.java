package dev.faceoff.feedback;

import java.util.Locale;

/** What the ground truth made of a decision. */
public enum Outcome {
    TRUE_ACCEPT, FALSE_ACCEPT, TRUE_REJECT, FALSE_REJECT;

    /** @param match the service's decision; @param same the truth sent as feedback */
    public static Outcome of(boolean match, boolean same) {
        if (match) {
            return same ? TRUE_ACCEPT : FALSE_ACCEPT;
        }
        return same ? FALSE_REJECT : TRUE_REJECT;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Outcome parse(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
