package dev.faceoff.experiment;

import dev.faceoff.model.LoadedModel;

/**
 * Which embedding model answers a request, and why.
 *
 * @param experiment the experiment's name, or {@code none}
 * @param variant the variant's name, or {@code none}
 */
public record Assignment(String experiment, String variant, LoadedModel model, How how) {

    public static final String NONE = "none";

    /** How the model was chosen. */
    public enum How {
        /** The request named the model. */
        OVERRIDE,
        /** A hash of (experiment, sticky key) chose the variant. */
        STICKY,
        /** A weighted random pick (no sticky key in the request). */
        WEIGHTED,
        /** No experiment is active: the default embedding model. */
        DEFAULT;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
