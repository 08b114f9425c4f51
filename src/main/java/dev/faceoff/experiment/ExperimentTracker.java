package dev.faceoff.experiment;

import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.feedback.VerificationLog;
import dev.faceoff.model.LoadedModel;

/**
 * What follows a verification's decision: its record for feedback, handed to {@link VerificationLog} (the
 * feedback package's rule: every verification, experiment or not), then, for a verification routed by an
 * experiment, the report's instance statistics and the shadow comparisons, queued off the request path: a pair's
 * faces embedded by each shadow model and compared, or a probe decided against the gallery decided again by each
 * shadow model with that model's own templates ({@link ProbeReference}).
 */
@Component
public final class ExperimentTracker {

    private final Experiments experiments;
    private final ExperimentStats stats;
    private final VerificationLog feedback;
    private final ShadowRunner shadows;

    ExperimentTracker(Experiments experiments, ExperimentStats stats, VerificationLog feedback, ShadowRunner shadows) {
        this.experiments = experiments;
        this.stats = stats;
        this.feedback = feedback;
        this.shadows = shadows;
    }

    /**
     * A decided verification.
     *
     * @param nanos the service time of the verification (decode to decision)
     */
    public record Verified(String id, Assignment assignment, double far, double similarity, boolean match, long nanos) {
    }

    /**
     * A shadow model's decision for a probe decided against the gallery: its similarity, whether it matched, and the
     * subject it named ({@code ""} for none, and for a verification against one subject).
     */
    public record ShadowDecision(double similarity, boolean match, String named) {
    }

    /** What a probe was decided against in the gallery, for each shadow model to decide it again with its own templates. */
    public interface ProbeReference {

        /** The subject the primary decision named ({@code ""} for none, and for a verification against one subject). */
        String named();

        /** The shadow's decision for the probe's embedding by it; empty when it has nothing to decide against. */
        Optional<ShadowDecision> decide(LoadedModel shadow, float[] embedding);
    }

    /**
     * Records the verification for feedback and, within an experiment, for the report; queues its shadow
     * comparisons.
     *
     * @param faces the aligned pair the primary embedded, for the shadow models
     */
    public void verified(Verified v, List<AlignedFace> faces) {
        recorded(v).filter(e -> faces.size() == 2).ifPresent(e -> shadows.submit(e.shadows(), primary(e, v), faces));
    }

    /**
     * Records a probe's decision against the gallery as {@link #verified} does; each shadow model decides it again
     * from the probe's aligned face and {@code reference}.
     */
    public void probed(Verified v, AlignedFace probe, ProbeReference reference) {
        recorded(v).ifPresent(e -> shadows.submitProbe(e.shadows(), primary(e, v), probe, reference));
    }

    /** The record for feedback and the experiment's statistics; the experiment when it has shadows. */
    private Optional<Experiment> recorded(Verified v) {
        Assignment a = v.assignment();
        feedback.record(v.id(), a.experiment(), a.variant(), a.model().name(), v.match(), v.similarity());
        if (Assignment.NONE.equals(a.experiment())) {
            return Optional.empty();
        }
        stats.completed(a.experiment(), a.variant(), v.nanos(), v.similarity(), v.match());
        return experiments.find(a.experiment()).filter(e -> !e.shadows().isEmpty());
    }

    private static ShadowRunner.Primary primary(Experiment e, Verified v) {
        return new ShadowRunner.Primary(e.name(), v.assignment().variant(), v.assignment().model(), v.far(), v.match());
    }
}
