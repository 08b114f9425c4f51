package dev.faceoff.feedback;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.feedback.*}: where verifications wait for their ground truth.
 *
 * @param store {@code memory} (this instance only) or {@code redis} (shared by every replica, at
 *              {@code spring.data.redis.host}/{@code port})
 * @param ttl how long a verification accepts feedback
 * @param maxEntries the most verifications the memory store keeps (oldest evicted first); Redis bounds its
 *                   records by the TTL
 */
@Validated
@ConfigurationProperties("faceoff.feedback")
public record FeedbackProperties(
        @NotNull @DefaultValue("memory") Store store,
        @NotNull @DefaultValue("7d") Duration ttl,
        @Min(1) @DefaultValue("100000") int maxEntries) {

    @AssertTrue(message = "must be positive")
    public boolean isTtlPositive() {
        return ttl == null || (!ttl.isNegative() && !ttl.isZero());
    }

    public enum Store { MEMORY, REDIS }
}
