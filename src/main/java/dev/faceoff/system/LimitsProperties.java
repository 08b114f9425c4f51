package dev.faceoff.system;

import java.time.Duration;

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
 * @param queue         requests waiting for a worker; beyond it 503 {@code overloaded} at once; 0: 4 × max-in-flight
 * @param queueWait     longest wait for a worker (never past the deadline); then 503 {@code overloaded}
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
        @DefaultValue("1s") Duration queueWait,
        @DefaultValue("0") DataSize memoryBudget,
        @DefaultValue("5s") Duration deadline,
        @Min(1) @DefaultValue("16") int maxCandidates,
        @DefaultValue("true") boolean parallelImages) {
}
