package dev.faceoff;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for a prerequisite a test cannot find (a data set, a model, a tool, a server): on a developer's
 * machine the test is skipped with a clear message; in CI (env {@code CI=true}, any case) it fails, since CI must
 * provide everything.
 */
public final class Prerequisites {

    private Prerequisites() {
    }

    /** Skips or fails the running test; never returns normally (so callers can {@code throw} its result). */
    public static RuntimeException missing(String what) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            return Assertions.fail(what + " — CI must provide it");
        }
        return Assumptions.abort("SKIPPED: " + what);
    }
}
