package dev.faceoff.feedback;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps decided verifications for {@code POST /v1/feedback}. The rule: <b>every</b> decided verification is
 * recorded, inside an experiment or not (experiment and variant {@code none} outside one), because feedback
 * measures FAR and FRR per model ({@code faceoff.feedback} by model), not only per experiment variant. What is
 * kept is {@link FeedbackStore.Verification}: the id, the experiment, variant and model, the decision and
 * similarity, the time; never an image or an embedding. A store that fails (Redis down) costs the verification
 * its feedback record, never its answer: the error is logged at most once a minute.
 */
@Component
public final class VerificationLog {

    private static final Logger log = LoggerFactory.getLogger(VerificationLog.class);
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final FeedbackStore store;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    VerificationLog(FeedbackStore store) {
        this.store = store;
    }

    /** Records a decided verification; never throws for the store's sake. */
    public void record(String id, String experiment, String variant, String model, boolean match, double similarity) {
        try {
            store.record(new FeedbackStore.Verification(id, experiment, variant, model, match, similarity, Instant.now()));
        } catch (RuntimeException e) {
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (now - last >= LOG_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                log.warn("feedback store unavailable, verifications are not kept for feedback: {}", e.getMessage());
            }
        }
    }
}
