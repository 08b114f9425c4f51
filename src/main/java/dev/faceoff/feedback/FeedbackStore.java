package dev.faceoff.feedback;

import java.time.Instant;
import java.util.Map;

/**
 * Verifications waiting for their ground truth, and the feedback counts per variant. Keeps only
 * id → (experiment, variant, model, decision, similarity, time): never an image or an embedding.
 */
public sealed interface FeedbackStore permits MemoryFeedbackStore, RedisFeedbackStore {

    /** What is kept of one verification. */
    record Verification(String id, String experiment, String variant, String model, boolean match,
                        double similarity, Instant at) {
    }

    /** A variant of an experiment and the model that answered it. */
    record VariantModel(String variant, String model) {
    }

    /** What became of a piece of feedback. */
    sealed interface Labelling {
    }

    /** First feedback for this verification: counted. */
    record Counted(Verification verification, Outcome outcome) implements Labelling {
    }

    /** The verification already had feedback: nothing counted; the outcome is the first one's. */
    record AlreadyLabelled(Verification verification, Outcome outcome) implements Labelling {
    }

    /** No such verification, or it expired. */
    record Unknown() implements Labelling {
    }

    void record(Verification verification);

    /** Labels a verification with the truth, at most once. */
    Labelling label(String id, boolean same);

    /** Feedback counts of an experiment per variant and model. */
    Map<VariantModel, Confusion> counts(String experiment);

    /** {@code instance} (this replica's feedback only) or {@code fleet} (every replica's). */
    String scope();
}
