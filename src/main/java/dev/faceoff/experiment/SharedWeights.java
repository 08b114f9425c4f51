package dev.faceoff.experiment;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

/**
 * One experiment state per fleet. With {@code faceoff.experiments.shared-weights=redis} a weight change is
 * written to Redis ({@code faceoff:experiment:<name>:weights}: a version and the change), and every replica
 * reads those keys four times a second and adopts a newer version, so a change made at any replica reaches all of
 * them within a second, 250 ms plus a poll's time at most (and a replica started later starts from it). With {@code none} the weights are
 * this instance's own. A Redis outage keeps each replica on the weights it has.
 */
@Component
final class SharedWeights {

    private static final Logger log = LoggerFactory.getLogger(SharedWeights.class);
    static final long PERIOD_MS = 250;

    /** What Redis holds per experiment. */
    record State(long version, Map<String, Double> weights, String at, String by, Map<String, Double> from) {
    }

    private final Experiments experiments;
    private final StringRedisTemplate redis;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;

    SharedWeights(Experiments experiments, ExperimentProperties properties, ObjectProvider<StringRedisTemplate> redis) {
        this.experiments = experiments;
        this.redis = properties.sharedWeights() == ExperimentProperties.Sharing.REDIS && !experiments.all().isEmpty()
                ? redis.getObject() : null;
        if (this.redis == null) {
            this.poller = null;
            return;
        }
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "experiment-weights");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::poll, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** {@code fleet} when shared through Redis, else {@code instance}. */
    String scope() {
        return redis == null ? "instance" : "fleet";
    }

    /** Shares a change just made at this replica (through Redis; a no-op with {@code shared-weights: none}). */
    void publish(Experiment e, Experiment.WeightChange change) {
        if (redis == null) {
            return;
        }
        try {
            Long version = redis.opsForValue().increment(key(e.name()) + ":version");
            var state = new State(version == null ? 0 : version, change.to(), change.at().toString(), change.by(), change.from());
            redis.opsForValue().set(key(e.name()), JsonMapper.shared().writeValueAsString(state));
            seen.put(e.name(), state.version());
        } catch (RuntimeException ex) {
            log.warn("experiment {}: the weight change could not be shared through Redis ({}); it holds on this replica only",
                    e.name(), ex.getMessage());
        }
    }

    void poll() {
        for (Experiment e : experiments.all()) {
            try {
                String json = redis.opsForValue().get(key(e.name()));
                if (json == null) {
                    continue;
                }
                State state = JsonMapper.shared().readValue(json, State.class);
                if (state.version() > seen.getOrDefault(e.name(), 0L)) {
                    seen.put(e.name(), state.version());
                    if (!state.weights().equals(e.weights())) {
                        e.adopt(state.weights(), new Experiment.WeightChange(Instant.parse(state.at()), state.by(),
                                state.from(), state.weights()));
                        log.info("experiment {}: weights {} adopted from the fleet (changed by {} at {})", e.name(),
                                state.weights(), state.by(), state.at());
                    }
                }
            } catch (RuntimeException ex) {
                log.debug("experiment {}: shared weights not readable: {}", e.name(), ex.getMessage());
            }
        }
    }

    static String key(String experiment) {
        return "faceoff:experiment:" + experiment + ":weights";
    }

    @PreDestroy
    void stop() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
