package dev.faceoff.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exact index across its blocks: subjects put, replaced and removed (the last row moved into the hole); and its
 * two-pass search equal, subject for subject and float for float, to a brute-force scan, on random unit vectors and
 * on the cases that make a coarse pass err: near-ties, duplicates, replacement, k beyond the rows.
 */
class TemplateMatrixTest {

    @Test
    void searchMatchesABruteForceScanAcrossBlocksAfterRemovals() {
        var random = new Random(3);
        int d = 16;
        var index = new Indexed(d);
        int n = index.matrix.blockRows() * 2 + 300;
        for (int s = 0; s < n; s++) {
            index.put("s" + s, GalleryStoreContract.randomUnit(random, d), 1 + s % 3);
        }
        for (int s = 0; s < n; s += 3) {
            index.remove("s" + s);
        }
        index.remove("never-there");
        assertThat(index.matrix.rows()).isEqualTo(index.templates.size());
        assertThat(index.matrix.faces()).isEqualTo(index.faces.values().stream().mapToLong(Integer::longValue).sum());
        long floats = ((long) index.templates.size() / index.matrix.blockRows() + 1) * index.matrix.blockRows() * d * 4;
        int codeRows = QuantizedRows.BLOCK_INTS / (d / 4);
        long codes = ((long) index.templates.size() / codeRows + 1) * QuantizedRows.BLOCK_INTS * 4;
        assertThat(index.matrix.bytes()).as("blocks no more than the rows need, plus one each")
                .isLessThanOrEqualTo(floats + codes + 2L * n * 24);

        for (int q = 0; q < 10; q++) {
            float[] query = GalleryStoreContract.randomUnit(random, d);
            var expected = index.templates.entrySet().stream()
                    .sorted(Comparator.<Map.Entry<String, float[]>>comparingDouble(e -> -GalleryStoreContract.dot(query, e.getValue())))
                    .limit(5).map(Map.Entry::getKey).toList();
            var found = index.matrix.search(query, 5);
            assertThat(found).extracting(GalleryStore.Match::subjectId).isEqualTo(expected);
            found.forEach(m -> assertThat(GalleryStoreContract.dot(query, index.templates.get(m.subjectId())))
                    .isCloseTo(m.similarity(), within(1e-5)));
            assertThat(found).isEqualTo(index.bruteForce(query, 5));
        }

        new ArrayList<>(index.templates.keySet()).forEach(index::remove);
        assertThat(index.matrix.rows()).isZero();
        assertThat(index.matrix.faces()).isZero();
        assertThat(index.matrix.search(GalleryStoreContract.randomUnit(random, d), 5)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 128, 13})
    void theTwoPassSearchIsTheBruteForceScanOnRandomUnitVectors(int d) {
        var random = new Random(d);
        var index = new Indexed(d);
        int n = Math.max(3000, QuantizedRows.BLOCK_INTS / ((d + 3) / 4) + 500);   // over one block of codes
        for (int s = 0; s < n; s++) {
            index.put("s" + s, GalleryStoreContract.randomUnit(random, d), 1);
        }
        for (int k : new int[] {1, 2, 5, 50}) {
            for (int q = 0; q < 20; q++) {
                float[] query = q % 4 == 0 ? index.templates.get("s" + random.nextInt(n)).clone()   // a probe that is enrolled
                        : GalleryStoreContract.randomUnit(random, d);
                var found = index.matrix.search(query, k);
                assertThat(found).hasSize(k).isEqualTo(index.bruteForce(query, k))
                        .isEqualTo(index.matrix.searchExhaustive(query, k));
            }
        }
    }

    @Test
    void nearTiesAndDuplicatesGiveTheScansSubjectsAndOrder() {
        var random = new Random(7);
        int d = 512;
        var index = new Indexed(d);
        float[] base = GalleryStoreContract.randomUnit(random, d);
        for (int i = 0; i < 600; i++) {   // just below the base: every coarse interval overlaps every other
            float[] t = base.clone();
            int at = random.nextInt(d);
            t[at] -= Math.signum(base[at]) * random.nextFloat() * 1e-4f;
            index.put("near" + i, t, 1);
        }
        for (int i = 0; i < 40; i++) {    // the very same template in 40 subjects: ties broken by subject id
            index.put("same" + (39 - i), base.clone(), 1);
        }
        for (int i = 0; i < 2000; i++) {
            index.put("other" + i, GalleryStoreContract.randomUnit(random, d), 1);
        }
        for (float[] query : List.of(base, perturbed(base, random, 0.05f), perturbed(base, random, 0.3f),
                GalleryStoreContract.randomUnit(random, d))) {
            for (int k : new int[] {1, 3, 10, 50}) {
                assertThat(index.matrix.search(query, k)).hasSize(k).isEqualTo(index.bruteForce(query, k));
            }
        }
        assertThat(index.matrix.search(base, 50)).extracting(GalleryStore.Match::subjectId)
                .filteredOn(id -> id.startsWith("same")).as("one similarity: by subject id").isSorted();
    }

    @Test
    void kBeyondTheRowsAndSpikyRows() {
        var random = new Random(11);
        int d = 512;
        var index = new Indexed(d);
        for (int i = 0; i < 4; i++) {     // one large value and the rest small: the coarsest codes
            float[] spike = GalleryStoreContract.randomUnit(random, d);
            spike[i] = 20;
            index.put("spike" + i, unit(spike), 1);
        }
        index.put("alone", GalleryStoreContract.randomUnit(random, d), 2);
        index.put("other", GalleryStoreContract.randomUnit(random, d), 3);
        for (int q = 0; q < 10; q++) {
            float[] query = q < 4 ? unit(perturbed(index.templates.get("spike" + q), random, 0.5f))
                    : GalleryStoreContract.randomUnit(random, d);
            for (int k : new int[] {1, 2, 6, 7, 50}) {
                var found = index.matrix.search(query, k);
                assertThat(found).hasSize(Math.min(k, 6)).isEqualTo(index.bruteForce(query, k));
            }
        }
    }

    @Test
    void removalAndReplacementKeepTheSearchEqualToTheScan() {
        var random = new Random(13);
        int d = 512;
        var index = new Indexed(d);
        int n = 1500;   // three blocks of codes
        for (int s = 0; s < n; s++) {
            index.put("s" + s, GalleryStoreContract.randomUnit(random, d), 2);
        }
        float[] query = GalleryStoreContract.randomUnit(random, d);
        String winner = index.matrix.search(query, 10).get(0).subjectId();
        index.put(winner, GalleryStoreContract.randomUnit(random, d), 3);   // replaced in its row
        assertThat(index.matrix.rows()).isEqualTo(n);
        assertThat(index.matrix.faces()).isEqualTo(2L * n + 1);
        assertThat(index.matrix.search(query, 10)).isEqualTo(index.bruteForce(query, 10))
                .extracting(GalleryStore.Match::subjectId).doesNotContain(winner);

        for (int s = 0; s < n; s += 2) {
            index.remove("s" + s);
        }
        String gone = index.matrix.search(query, 1).get(0).subjectId();
        index.remove(gone);
        for (int s = n; s < n + 400; s++) {   // rows added after removals
            index.put("late" + s, GalleryStoreContract.randomUnit(random, d), 1);
        }
        assertThat(index.matrix.rows()).isEqualTo(index.templates.size());
        for (int q = 0; q < 10; q++) {
            float[] probe = GalleryStoreContract.randomUnit(random, d);
            var found = index.matrix.search(probe, 10);
            assertThat(found).isEqualTo(index.bruteForce(probe, 10))
                    .extracting(GalleryStore.Match::subjectId).doesNotContain(gone);
        }
    }

    @Test
    void theCoarsePassBoundsEveryRowsFloatSimilarityTightly() {
        var random = new Random(17);
        int d = 512;
        int n = 2000;
        var rows = new QuantizedRows(d, 0);
        float[][] values = new float[n][];
        for (int r = 0; r < n; r++) {
            values[r] = GalleryStoreContract.randomUnit(random, d);
            rows.set(r, values[r]);
        }
        for (int q = 0; q < 5; q++) {
            float[] query = q == 0 ? values[7] : GalleryStoreContract.randomUnit(random, d);
            double[] lower = new double[n];
            float[] upper = new float[n];
            rows.scan(rows.quantize(query), n, lower, upper);
            for (int r = 0; r < n; r++) {
                float exact = TemplateMatrix.dot(query, values[r], 0);
                assertThat((double) exact).isBetween(lower[r], (double) upper[r]);
                assertThat(upper[r] - lower[r]).as("the interval's width").isLessThan(0.05);
            }
        }
    }

    @Test
    void kthHighestIgnoresSubjectsWithoutRows() {
        double ninf = Double.NEGATIVE_INFINITY;
        assertThat(TemplateMatrix.kthHighest(new double[] {0.1, ninf, 0.7, 0.3, 0.5, ninf, 0.2}, 3)).isEqualTo(0.3);
        assertThat(TemplateMatrix.kthHighest(new double[] {0.1, ninf, 0.7}, 3)).isEqualTo(ninf);
        assertThat(TemplateMatrix.kthHighest(new double[] {0.4, 0.4, 0.4, 0.1}, 2)).isEqualTo(0.4);
        assertThat(TemplateMatrix.kthHighest(new double[] {5, 4, 3, 2, 1, 0}, 1)).isEqualTo(5);
    }

    /** A matrix and what was put in it, for the brute-force reference. */
    /**
     * The coarse pass shared with a helper gives the caller's answer alone, whoever scans which block: a helper
     * that runs at once beside the caller, one that takes every block before the caller starts (run inline), one
     * that never runs (queued and dropped: the caller withdraws it), and one that refuses the task.
     */
    @Test
    void aSharedCoarsePassAnswersAsTheCallerAlone() throws InterruptedException {
        var random = new Random(11);
        int d = 64;
        var index = new Indexed(d);
        int n = QuantizedRows.BLOCK_INTS / (d / 4) * (QuantizedRows.SHARED_BLOCKS + 3) + 17;   // code blocks to share
        for (int s = 0; s < n; s++) {
            index.put("s" + s, GalleryStoreContract.randomUnit(random, d), 1);
        }
        var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        var dropped = new ArrayList<Runnable>();
        try {
            List<java.util.concurrent.Executor> helpers = List.of(pool, Runnable::run, dropped::add, task -> {
                throw new java.util.concurrent.RejectedExecutionException("full");
            });
            for (int q = 0; q < 20; q++) {
                float[] query = q % 2 == 0 ? GalleryStoreContract.randomUnit(random, d)
                        : perturbed(index.templates.get("s" + random.nextInt(n)), random, 0.1f);
                var alone = index.matrix.search(query, 5);
                assertThat(alone).isEqualTo(index.bruteForce(query, 5));
                for (var helper : helpers) {
                    assertThat(index.matrix.search(query, 5, java.util.Optional.of(helper))).isEqualTo(alone);
                }
            }
            assertThat(dropped).as("one task a search, queued and never run").hasSize(20);
            dropped.forEach(Runnable::run);   // run late: withdrawn, it scans nothing and returns
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        }
    }

    private static final class Indexed {
        final TemplateMatrix matrix;
        final Map<String, float[]> templates = new LinkedHashMap<>();
        final Map<String, Integer> faces = new HashMap<>();

        Indexed(int dimension) {
            matrix = new TemplateMatrix(dimension, 0);
        }

        void put(String subject, float[] template, int faceCount) {
            matrix.put(subject, template, faceCount);
            templates.put(subject, template);
            faces.put(subject, faceCount);
        }

        void remove(String subject) {
            matrix.remove(subject);
            templates.remove(subject);
            faces.remove(subject);
        }

        /** The top k by float similarity ({@link TemplateMatrix#dot}), ties by subject id: computed from the map alone. */
        List<GalleryStore.Match> bruteForce(float[] query, int k) {
            var all = new ArrayList<GalleryStore.Match>();
            templates.forEach((subject, t) -> all.add(new GalleryStore.Match(subject, TemplateMatrix.dot(query, t, 0))));
            all.sort(Comparator.comparingDouble(GalleryStore.Match::similarity).reversed()
                    .thenComparing(GalleryStore.Match::subjectId));
            return all.subList(0, Math.min(k, all.size()));
        }
    }

    private static float[] perturbed(float[] v, Random random, float amount) {
        float[] p = v.clone();
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) random.nextGaussian() * amount / (float) Math.sqrt(p.length);
        }
        return unit(p);
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] / Math.sqrt(norm));
        }
        return u;
    }
}
