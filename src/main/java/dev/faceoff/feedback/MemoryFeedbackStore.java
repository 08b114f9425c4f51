package dev.faceoff.feedback;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The feedback store of a single instance: at most {@code maxEntries} verifications (oldest evicted first),
 * each for {@code ttl}; counts per experiment and variant since start-up.
 */
final class MemoryFeedbackStore implements FeedbackStore {

    private record Entry(Verification verification, Outcome outcome) {
    }

    private final Clock clock;
    private final Duration ttl;
    private final int maxEntries;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, Map<VariantModel, Confusion>> counts = new ConcurrentHashMap<>();

    MemoryFeedbackStore(FeedbackProperties properties, Clock clock) {
        this.clock = clock;
        this.ttl = properties.ttl();
        this.maxEntries = properties.maxEntries();
    }

    @Override
    public synchronized void record(Verification verification) {
        expire();
        entries.put(verification.id(), new Entry(verification, null));
        while (entries.size() > maxEntries) {
            Iterator<String> oldest = entries.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    @Override
    public synchronized Labelling label(String id, boolean same) {
        expire();
        Entry entry = entries.get(id);
        if (entry == null) {
            return new Unknown();
        }
        if (entry.outcome() != null) {
            return new AlreadyLabelled(entry.verification(), entry.outcome());
        }
        Verification v = entry.verification();
        Outcome outcome = Outcome.of(v.match(), same);
        entries.put(id, new Entry(v, outcome));
        counts.computeIfAbsent(v.experiment(), k -> new ConcurrentHashMap<>())
                .merge(new VariantModel(v.variant(), v.model()), Confusion.NONE.plus(outcome, 1), Confusion::plus);
        return new Counted(v, outcome);
    }

    @Override
    public Map<VariantModel, Confusion> counts(String experiment) {
        return Map.copyOf(counts.getOrDefault(experiment, Map.of()));
    }

    @Override
    public String scope() {
        return "instance";
    }

    /** Drops expired verifications from the oldest end (insertion order is time order). */
    private void expire() {
        Instant cutoff = clock.instant().minus(ttl);
        Iterator<Entry> oldest = entries.values().iterator();
        while (oldest.hasNext()) {
            if (oldest.next().verification().at().isAfter(cutoff)) {
                return;
            }
            oldest.remove();
        }
    }
}
