package dev.faceoff.experiment;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.feedback.FeedbackStore;

/**
 * What follows a verification's decision: the report's instance statistics, the record that waits for
 * feedback (no image, no embedding), and the shadow comparisons, queued off the request path.
 */
@Component
public final class ExperimentTracker {

    private static final Logger log = LoggerFactory.getLogger(ExperimentTracker.class);
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final Experiments experiments;
    private final ExperimentStats stats;
    private final FeedbackStore store;
    private final ShadowRunner shadows;
    private final AtomicLong lastStoreWarning = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    ExperimentTracker(Experiments experiments, ExperimentStats stats, FeedbackStore store, ShadowRunner shadows) {
        this.experiments = experiments;
        this.stats = stats;
        this.store = store;
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
     * Records the verification and queues its shadow comparisons.
     *
     * @param faces the aligned faces the primary embedded, for the shadow models
     */
    public void verified(Verified v, List<AlignedFace> faces) {
        Assignment a = v.assignment();
        try {
            store.record(new FeedbackStore.Verification(v.id(), a.experiment(), a.variant(), a.model().name(), v.match(),
                    v.similarity(), Instant.now()));
        } catch (RuntimeException e) {
            // the answer stands without its feedback record; warn at most once a minute
            long now = System.nanoTime();
            long last = lastStoreWarning.get();
            if (now - last >= LOG_EVERY_NANOS && lastStoreWarning.compareAndSet(last, now)) {
                log.warn("feedback store unavailable, verifications are not kept for feedback: {}", e.getMessage());
            }
        }
        if (Assignment.NONE.equals(a.experiment())) {
            return;
        }
        stats.completed(a.experiment(), a.variant(), v.nanos(), v.similarity(), v.match());
        experiments.find(a.experiment()).filter(e -> !e.shadows().isEmpty()).ifPresent(e -> shadows.submit(e.shadows(),
                new ShadowRunner.Primary(e.name(), a.variant(), a.model(), v.far(), v.match()), faces));
    }
}
