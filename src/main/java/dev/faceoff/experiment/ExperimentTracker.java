package dev.faceoff.experiment;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.feedback.VerificationLog;

/**
 * What follows a verification's decision: its record for feedback, handed to {@link VerificationLog} (the
 * feedback package's rule: every verification, experiment or not), then, for a verification routed by an
 * experiment, the report's instance statistics and the shadow comparisons, queued off the request path.
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
     * Records the verification for feedback and, within an experiment, for the report; queues its shadow
     * comparisons.
     *
     * @param faces the aligned pair the primary embedded, for the shadow models; none (a probe decided against the
     *              gallery): no shadow comparison
     */
    public void verified(Verified v, List<AlignedFace> faces) {
        Assignment a = v.assignment();
        feedback.record(v.id(), a.experiment(), a.variant(), a.model().name(), v.match(), v.similarity());
        if (Assignment.NONE.equals(a.experiment())) {
            return;
        }
        stats.completed(a.experiment(), a.variant(), v.nanos(), v.similarity(), v.match());
        experiments.find(a.experiment()).filter(e -> !e.shadows().isEmpty() && faces.size() == 2).ifPresent(e -> shadows.submit(e.shadows(),
                new ShadowRunner.Primary(e.name(), a.variant(), a.model(), v.far(), v.match()), faces));
    }
}
