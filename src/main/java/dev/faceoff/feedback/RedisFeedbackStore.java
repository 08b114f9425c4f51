package dev.faceoff.feedback;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The feedback store shared by every replica: each verification a Redis hash
 * {@code faceoff:verification:<id>} with a TTL; the counts of an experiment one hash
 * {@code faceoff:feedback:<experiment>} with a field {@code variant|model|outcome} per count. Labelling is one
 * Lua script, so a verification is counted once even when two replicas receive its feedback at once.
 * Standalone Redis (the script touches the counts hash it derives from the record).
 */
final class RedisFeedbackStore implements FeedbackStore {

    static final String RECORD_PREFIX = "faceoff:verification:";
    static final String COUNTS_PREFIX = "faceoff:feedback:";

    private static final RedisScript<Long> RECORD = new DefaultRedisScript<>("""
            redis.call('HSET', KEYS[1], 'e', ARGV[1], 'v', ARGV[2], 'm', ARGV[3], 'd', ARGV[4], 's', ARGV[5], 't', ARGV[6])
            redis.call('PEXPIRE', KEYS[1], ARGV[7])
            return 1
            """, Long.class);

    /** ARGV: the outcome if the decision was a match, the outcome if not, the counts key prefix. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> LABEL = new DefaultRedisScript<>("""
            local f = redis.call('HMGET', KEYS[1], 'e', 'v', 'm', 'd', 's', 't', 'o')
            if not f[1] then return {} end
            if f[7] then return {'0', f[1], f[2], f[3], f[4], f[5], f[6], f[7]} end
            local outcome = ARGV[2]
            if f[4] == '1' then outcome = ARGV[1] end
            redis.call('HSET', KEYS[1], 'o', outcome)
            redis.call('HINCRBY', ARGV[3] .. f[1], f[2] .. '|' .. f[3] .. '|' .. outcome, 1)
            return {'1', f[1], f[2], f[3], f[4], f[5], f[6], outcome}
            """, List.class);

    private final StringRedisTemplate redis;
    private final Duration ttl;

    RedisFeedbackStore(StringRedisTemplate redis, FeedbackProperties properties) {
        this.redis = redis;
        this.ttl = properties.ttl();
    }

    @Override
    public void record(Verification v) {
        redis.execute(RECORD, List.of(RECORD_PREFIX + v.id()), v.experiment(), v.variant(), v.model(),
                v.match() ? "1" : "0", Double.toString(v.similarity()), Long.toString(v.at().toEpochMilli()),
                Long.toString(ttl.toMillis()));
    }

    @Override
    public Labelling label(String id, boolean same) {
        List<?> reply = redis.execute(LABEL, List.of(RECORD_PREFIX + id), Outcome.of(true, same).label(),
                Outcome.of(false, same).label(), COUNTS_PREFIX);
        if (reply == null || reply.isEmpty()) {
            return new Unknown();
        }
        var v = new Verification(id, str(reply, 1), str(reply, 2), str(reply, 3), "1".equals(str(reply, 4)),
                Double.parseDouble(str(reply, 5)), Instant.ofEpochMilli(Long.parseLong(str(reply, 6))));
        Outcome outcome = Outcome.parse(str(reply, 7));
        return "1".equals(str(reply, 0)) ? new Counted(v, outcome) : new AlreadyLabelled(v, outcome);
    }

    private static String str(List<?> reply, int i) {
        return String.valueOf(reply.get(i));
    }

    @Override
    public Map<VariantModel, Confusion> counts(String experiment) {
        var counts = new HashMap<VariantModel, Confusion>();
        redis.<String, String>opsForHash().entries(COUNTS_PREFIX + experiment).forEach((field, value) -> {
            int first = field.indexOf('|');
            int last = field.lastIndexOf('|');
            if (first > 0 && last > first) {
                var key = new VariantModel(field.substring(0, first), field.substring(first + 1, last));
                counts.merge(key, Confusion.NONE.plus(Outcome.parse(field.substring(last + 1)), Long.parseLong(value)),
                        Confusion::plus);
            }
        });
        return counts;
    }

    @Override
    public String scope() {
        return "fleet";
    }
}
