package dev.faceoff.system;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;
import dev.faceoff.common.NativeLedger;
import dev.faceoff.common.StageTimings;

/**
 * Every faceoff.* meter, in one place so names and tags stay consistent. Tags are low-cardinality by
 * construction: models, losses, experiments, variants, stages, outcomes — never a subject or image id.
 */
@Component
public final class FaceoffMetrics {

    /**
     * Similarity histogram buckets: 0.05 to 1 in steps of 0.05. Micrometer takes only positive bucket
     * bounds, so similarities at or below 0 (clearly different people) are counted in the first bucket.
     */
    static final double[] SIMILARITY_BUCKETS = buckets();

    private final MeterRegistry registry;
    private final AtomicInteger inflight;

    FaceoffMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.inflight = registry.gauge("faceoff.requests.inflight", new AtomicInteger());
        // native objects alive now: back to 0 between requests, or something was left behind
        Gauge.builder("faceoff.native.live", () -> {
            var c = NativeLedger.counts();
            return c.matsOpened() - c.matsReleased();
        }).description("OpenCV Mats made and not yet released").tag("kind", "mat").register(registry);
        Gauge.builder("faceoff.native.live", () -> {
            var c = NativeLedger.counts();
            return c.tensorsOpened() - c.tensorsClosed();
        }).description("ONNX Runtime tensors and results made and not yet closed").tag("kind", "tensor").register(registry);
    }

    /** Model, loss, experiment and variant of a request, as metric tags. */
    public record Variant(String model, String loss, String experiment, String variant) {
        public static final Variant NONE = new Variant("none", "none", "none", "none");

        Tags tags() {
            return Tags.of("model", model, "loss", loss, "experiment", experiment, "variant", variant);
        }
    }

    public void requestStarted() {
        inflight.incrementAndGet();
    }

    public void requestFinished(String endpoint, Variant variant, String outcome, long nanos) {
        inflight.decrementAndGet();
        Timer.builder("faceoff.requests").description("API requests by endpoint, model, variant and outcome")
                .tags(variant.tags()).tag("endpoint", endpoint).tag("outcome", outcome)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void stage(StageTimings.Stage stage, String model, long nanos) {
        Timer.builder("faceoff.stage").description("time per pipeline stage")
                .tag("stage", stage.label()).tag("model", model)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                .maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void similarity(Variant variant, String role, double similarity) {
        DistributionSummary.builder("faceoff.similarity").description("cosine similarity of verified pairs")
                .tags(variant.tags()).tag("role", role)
                .serviceLevelObjectives(SIMILARITY_BUCKETS)
                .register(registry).record(Math.max(0, similarity));
    }

    /**
     * The quality of every face a request found (those the quality gate then refuses too), per embedding model:
     * the drift signal when cameras or users change. Score in tenths, |yaw| in 10° steps, inter-eye distance in
     * pixels.
     */
    public void quality(String model, double score, double yawDeg, double interEyePx) {
        DistributionSummary.builder("faceoff.face.quality").description("face quality score (0-1) of faces found")
                .tag("model", model).serviceLevelObjectives(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
                .register(registry).record(score);
        DistributionSummary.builder("faceoff.face.yaw").description("absolute head yaw (degrees) of faces found")
                .baseUnit("degrees").tag("model", model).serviceLevelObjectives(10, 20, 30, 40, 50, 60, 70, 80, 90)
                .register(registry).record(Math.abs(yawDeg));
        DistributionSummary.builder("faceoff.face.inter_eye").description("inter-eye distance (pixels) of faces found")
                .baseUnit("pixels").tag("model", model).serviceLevelObjectives(8, 16, 24, 32, 48, 64, 96, 128, 256)
                .register(registry).record(interEyePx);
    }

    public void decision(Variant variant, boolean match) {
        Counter.builder("faceoff.decisions").description("verification decisions")
                .tags(variant.tags()).tag("result", match ? "match" : "no_match")
                .register(registry).increment();
    }

    /** A shadow model's decision compared with the primary's on the same aligned faces. */
    public void shadowComparison(String experiment, String model, String loss, String primaryModel, boolean agree) {
        Counter.builder("faceoff.shadow.comparisons").description("shadow decisions compared with the primary's")
                .tags("experiment", experiment, "model", model, "loss", loss, "primary_model", primaryModel,
                        "agreement", agree ? "agree" : "disagree")
                .register(registry).increment();
    }

    /** A shadow comparison not made because the shadow queue was full. */
    public void shadowDropped(String experiment, String model) {
        Counter.builder("faceoff.shadow.dropped").description("shadow comparisons dropped: the shadow queue was full")
                .tags("experiment", experiment, "model", model)
                .register(registry).increment();
    }

    /** Time a shadow model took to embed a pair, off the request path. */
    public void shadowSeconds(String experiment, String model, long nanos) {
        Timer.builder("faceoff.shadow.seconds").description("shadow embedding time per verified pair")
                .tags("experiment", experiment, "model", model)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Ground truth received for a verification: what it made of the decision. */
    public void feedback(Variant variant, String outcome) {
        Counter.builder("faceoff.feedback").description("feedback by the outcome it gave the decision")
                .tags(variant.tags()).tag("outcome", outcome)
                .register(registry).increment();
    }

    /** Admission control: {@code faceoff.admission} by outcome (admitted, rejected, expired) and reason, and its state. */
    void admission(String outcome, String reason) {
        Counter.builder("faceoff.admission").description("requests admitted, rejected (overloaded) or expired (deadline)")
                .tag("outcome", outcome).tag("reason", reason).register(registry).increment();
    }

    /** The workers ({@link WorkerQueue}): held, waited for, how many, and the most that may wait. */
    void admissionQueueGauges(AtomicInteger working, AtomicInteger waiting, int workers, int queue) {
        Gauge.builder("faceoff.admission.working", working, AtomicInteger::get).description("requests holding a worker")
                .register(registry);
        Gauge.builder("faceoff.admission.waiting", waiting, AtomicInteger::get).description("requests waiting for a worker")
                .register(registry);
        Gauge.builder("faceoff.admission.workers", () -> workers).description("faceoff.limits.max-in-flight")
                .register(registry);
        Gauge.builder("faceoff.admission.queue", () -> queue).description("faceoff.limits.queue: most requests waiting")
                .register(registry);
    }

    /** The memory budget ({@link MemoryBudget}): bytes reserved of it, and its size. */
    void admissionMemoryGauges(java.util.concurrent.atomic.AtomicLong reserved, long budget) {
        Gauge.builder("faceoff.admission.memory.reserved", reserved, java.util.concurrent.atomic.AtomicLong::get)
                .description("bytes of images in flight").baseUnit("bytes").register(registry);
        Gauge.builder("faceoff.admission.memory.budget", () -> budget).description("faceoff.limits.memory-budget")
                .baseUnit("bytes").register(registry);
    }

    /**
     * The time-bounded queue: the moving estimate of a worker's time per request, the predicted wait of a request
     * arriving now, and the longest predicted wait a request arriving with its whole deadline left may wait
     * (faceoff.limits.queue-share × faceoff.limits.deadline). Seconds.
     */
    void admissionWaitGauges(java.util.function.DoubleSupplier serviceTime, java.util.function.DoubleSupplier predictedWait,
                             double waitLimit) {
        Gauge.builder("faceoff.admission.service.time", serviceTime::getAsDouble)
                .description("moving estimate of a worker's time per request").baseUnit("seconds").register(registry);
        Gauge.builder("faceoff.admission.predicted.wait", predictedWait::getAsDouble)
                .description("predicted wait for a worker of a request arriving now").baseUnit("seconds").register(registry);
        Gauge.builder("faceoff.admission.wait.limit", () -> waitLimit)
                .description("longest predicted wait admitted: faceoff.limits.queue-share x faceoff.limits.deadline")
                .baseUnit("seconds").register(registry);
    }

    /** {@code faceoff.api.keys}: requests by key name (never the key) and outcome (accepted, rate_limited, refused). */
    public void apiKey(String name, String outcome) {
        Counter.builder("faceoff.api.keys").description("API requests by key name and outcome")
                .tag("key", name).tag("outcome", outcome).register(registry).increment();
    }

    /** {@code faceoff.gallery.faces{model}}: the gallery's faces enrolled with the model (its templates), every tenant. */
    public void galleryFaces(String model, java.util.function.LongSupplier faces) {
        Gauge.builder("faceoff.gallery.faces", () -> faces.getAsLong()).description("gallery faces enrolled with the model")
                .tag("model", model).register(registry);
    }

    /** {@code faceoff.gallery.store.up}: 1 while the gallery's store answered its last health check, else 0. */
    public void galleryStoreUp(java.util.function.IntSupplier up) {
        Gauge.builder("faceoff.gallery.store.up", () -> up.getAsInt()).description("1 while the gallery's store answers its health check")
                .register(registry);
    }

    /** An enrolment ({@code POST /v1/subjects/{id}/faces}) by outcome: {@code enrolled}, or the error code. */
    public void enrolment(String outcome) {
        Counter.builder("faceoff.gallery.enrolments").description("enrolments by outcome (enrolled, or the error code)")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** An identification ({@code POST /v1/identify}) by outcome: {@code match}, {@code no_match}, or the error code. */
    public void identification(String outcome) {
        Counter.builder("faceoff.gallery.identifications").description("identifications by outcome (match, no_match, or the error code)")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** Time of one gallery search (top k of a tenant's templates of a model). */
    public void gallerySearch(String model, long nanos) {
        Timer.builder("faceoff.gallery.search").description("gallery search time (top k by exact cosine similarity)")
                .tag("model", model).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                .maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void error(String code) {
        Counter.builder("faceoff.errors").description("refused or failed requests by error code")
                .tag("code", code).register(registry).increment();
    }

    /** faceoff.model.info = 1 for each loaded model, with its task, loss and execution provider. */
    public void modelInfo(String model, String task, String loss, String provider, String requested) {
        Gauge.builder("faceoff.model.info", () -> 1).description("loaded models and their execution provider")
                .tags("model", model, "task", task, "loss", loss, "provider", provider, "requested", requested)
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    private static double[] buckets() {
        double[] b = new double[20];
        for (int i = 0; i < 20; i++) {
            b[i] = Math.round((i + 1) * 0.05 * 100) / 100.0;
        }
        return b;
    }
}
