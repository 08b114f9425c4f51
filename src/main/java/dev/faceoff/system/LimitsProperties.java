package dev.faceoff.system;

import java.time.Duration;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.limits.*}: admission control of {@code POST /v1/verify} and {@code /v1/embed} ({@link Admission}).
 *
 * @param enabled       false: every request is admitted (benchmarks of the bare service)
 * @param maxInFlight   requests doing work at once; 0: the number of cores the JVM sees
 * @param queue         most requests waiting for a worker, a safety net behind {@code queue-share}; beyond it 503
 *                      {@code overloaded} at once; 0: half of {@code server.tomcat.threads.max}
 * @param queueShare    a request waits for a worker while its predicted wait (its place in the queue × the recent
 *                      service time per request ÷ max-in-flight) is at most this share of the time left to its
 *                      deadline; otherwise 503 {@code overloaded} at once (0.4 of 5 s: 2 s; the trade-off between
 *                      closed-loop clients served and open-loop latency measured by bench/goodput.py, docs/performance.md)
 * @param memoryBudget  bytes of images in flight (encoded bodies + the decoded pixels their headers announce);
 *                      beyond it 503 {@code overloaded}; 0: a quarter of the memory the JVM may use (the
 *                      container's limit, or -XX:MaxRAM when set)
 * @param deadline      a request not answered by then gets 503 {@code deadline_exceeded} and its work is abandoned
 * @param maxCandidates most candidates of one {@code POST /v1/compare}; more: 413 {@code too_many_candidates}
 * @param parallelImages the second image of a request is prepared on a spare worker at the same time as the
 *                      first, when a worker is idle and no request waits ({@link Admission#onSpareWorker})
 */
@Validated
@ConfigurationProperties("faceoff.limits")
public record LimitsProperties(
        @DefaultValue("true") boolean enabled,
        @Min(0) @DefaultValue("0") int maxInFlight,
        @Min(0) @DefaultValue("0") int queue,
        @DecimalMin("0") @DecimalMax("1") @DefaultValue("0.4") double queueShare,
        @DefaultValue("0") DataSize memoryBudget,
        @DefaultValue("5s") Duration deadline,
        @Min(1) @DefaultValue("16") int maxCandidates,
        @DefaultValue("true") boolean parallelImages) {
}
