package dev.faceoff.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
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
 * The exact index across its blocks: adds, removals (the last row moved into the hole), subjects emptied; and its
 * two-pass search equal, subject for subject, face for face and float for float, to a brute-force scan, on random
 * unit vectors and on the cases that make a coarse pass err: near-ties, duplicates, one subject with many rows,
 * replacement, k beyond the subjects.
 */
class TemplateMatrixTest {

    @Test
    void searchMatchesABruteForceScanAcrossBlocksAfterRemovals() {
        var random = new Random(3);
        int d = 16;
        var index = new Indexed(d);
        int n = index.matrix.blockRows() * 2 + 300;
        for (long f = 0; f < n; f++) {
            index.add(f, "s" + f % 700, GalleryStoreContract.randomUnit(random, d));
        }
        for (long f = 0; f < n; f += 3) {
            index.matrix.removeFace(f);
            index.templates.remove(f);
        }
        index.matrix.removeSubject("s5");
        index.templates.keySet().removeIf(f -> index.owner.get(f).equals("s5"));
        assertThat(index.matrix.rows()).isEqualTo(index.templates.size());
        long floats = ((long) index.templates.size() / index.matrix.blockRows() + 1) * index.matrix.blockRows() * d * 4;
        int codeRows = QuantizedRows.BLOCK_INTS / (d / 4);
        long codes = ((long) index.templates.size() / codeRows + 1) * QuantizedRows.BLOCK_INTS * 4;
        assertThat(index.matrix.bytes()).as("blocks no more than the rows need, plus one each")
                .isLessThanOrEqualTo(floats + codes + 2L * n * 24);

        for (int q = 0; q < 10; q++) {
            float[] query = GalleryStoreContract.randomUnit(random, d);
            Map<String, Double> best = new HashMap<>();
            index.templates.forEach((f, t) -> best.merge(index.owner.get(f), GalleryStoreContract.dot(query, t), Math::max));
            var expected = best.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(5).map(Map.Entry::getKey).toList();
            var found = index.matrix.search(query, 5);
            assertThat(found).extracting(GalleryStore.Match::subjectId).isEqualTo(expected);
            found.forEach(m -> assertThat(GalleryStoreContract.dot(query, index.templates.get(m.faceId())))
                    .isCloseTo(m.similarity(), within(1e-5)));
            assertThat(found).isEqualTo(index.bruteForce(query, 5));
        }
        assertThat(index.matrix.subjectsWithRows()).isEqualTo((int) index.templates.keySet().stream().map(index.owner::get).distinct().count());

        index.templates.keySet().forEach(index.matrix::removeFace);
        assertThat(index.matrix.rows()).isZero();
        assertThat(index.matrix.subjectsWithRows()).isZero();
        assertThat(index.matrix.search(GalleryStoreContract.randomUnit(random, d), 5)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 128, 13})
    void theTwoPassSearchIsTheBruteForceScanOnRandomUnitVectors(int d) {
        var random = new Random(d);
        var index = new Indexed(d);
        int n = Math.max(3000, QuantizedRows.BLOCK_INTS / ((d + 3) / 4) + 500);   // over one block of codes
        for (long f = 0; f < n; f++) {
            index.add(f, "s" + random.nextInt(n / 3), GalleryStoreContract.randomUnit(random, d));
        }
        for (int k : new int[] {1, 2, 5, 50}) {
            for (int q = 0; q < 20; q++) {
                float[] query = q % 4 == 0 ? index.templates.get((long) random.nextInt(n)).clone()   // a probe that is enrolled
                        : GalleryStoreContract.randomUnit(random, d);
                var found = index.matrix.search(query, k);
                assertThat(found).hasSize(k).isEqualTo(index.bruteForce(query, k))
                        .isEqualTo(index.matrix.searchExhaustive(query, k));
            }
        }
    }

    @Test
    void nearTiesAndDuplicatesGiveTheScansSubjectsFacesAndOrder() {
        var random = new Random(7);
        int d = 512;
        var index = new Indexed(d);
        float[] base = GalleryStoreContract.randomUnit(random, d);
        long f = 0;
        for (int i = 0; i < 600; i++) {   // just below the base: every coarse interval overlaps every other
            float[] t = base.clone();
            int at = random.nextInt(d);
            t[at] -= Math.signum(base[at]) * random.nextFloat() * 1e-4f;
            index.add(f++, "near" + i, t);
        }
        for (int i = 0; i < 40; i++) {    // the very same template in 40 subjects: ties broken by subject id
            index.add(f++, "same" + (39 - i), base.clone());
        }
        for (int i = 0; i < 5; i++) {     // and five times in one subject ("dup" sorts first): its first row wins the tie
            index.add(f++, "dup", base.clone());
        }
        for (int i = 0; i < 2000; i++) {
            index.add(f++, "other" + i % 500, GalleryStoreContract.randomUnit(random, d));
        }
        for (float[] query : List.of(base, perturbed(base, random, 0.05f), perturbed(base, random, 0.3f),
                GalleryStoreContract.randomUnit(random, d))) {
            for (int k : new int[] {1, 3, 10, 50}) {
                assertThat(index.matrix.search(query, k)).hasSize(k).isEqualTo(index.bruteForce(query, k));
            }
        }
        var found = index.matrix.search(base, 50);
        long firstTwice = index.owner.entrySet().stream().filter(e -> e.getValue().equals("dup"))
                .mapToLong(Map.Entry::getKey).min().orElseThrow();
        assertThat(found).filteredOn(m -> m.subjectId().equals("dup")).extracting(GalleryStore.Match::faceId)
                .containsExactly(firstTwice);
    }

    @Test
    void oneSubjectWithManyRowsKBeyondTheSubjectsAndSpikyRows() {
        var random = new Random(11);
        int d = 512;
        var index = new Indexed(d);
        long f = 0;
        for (int i = 0; i < 3000; i++) {
            index.add(f++, "crowd", GalleryStoreContract.randomUnit(random, d));
        }
        for (int i = 0; i < 4; i++) {     // one large value and the rest small: the coarsest codes
            float[] spike = GalleryStoreContract.randomUnit(random, d);
            spike[i] = 20;
            index.add(f++, "spike" + i, unit(spike));
        }
        index.add(f++, "alone", GalleryStoreContract.randomUnit(random, d));
        for (int q = 0; q < 10; q++) {
            float[] query = q < 4 ? unit(perturbed(index.templates.get(3000L + q), random, 0.5f))
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
        for (long f = 0; f < n; f++) {
            index.add(f, "s" + f % 300, GalleryStoreContract.randomUnit(random, d));
        }
        float[] query = GalleryStoreContract.randomUnit(random, d);
        var before = index.matrix.search(query, 10);
        long winner = before.get(0).faceId();
        index.add(winner, index.owner.get(winner), GalleryStoreContract.randomUnit(random, d));   // replaced
        assertThat(index.matrix.rows()).isEqualTo(n);
        assertThat(index.matrix.search(query, 10)).isEqualTo(index.bruteForce(query, 10))
                .extracting(GalleryStore.Match::faceId).doesNotContain(winner);

        for (long f = 0; f < n; f += 2) {
            index.matrix.removeFace(f);
            index.templates.remove(f);
        }
        String gone = index.matrix.search(query, 1).get(0).subjectId();
        index.matrix.removeSubject(gone);
        index.templates.keySet().removeIf(f -> index.owner.get(f).equals(gone));
        for (long f = n; f < n + 400; f++) {   // rows added after removals reuse the freed places
            index.add(f, "late" + f % 7, GalleryStoreContract.randomUnit(random, d));
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
        int[] subjectOfRow = new int[n];
        Arrays.setAll(subjectOfRow, r -> r);
        for (int q = 0; q < 5; q++) {
            float[] query = q == 0 ? values[7] : GalleryStoreContract.randomUnit(random, d);
            double[] lower = new double[n];
            Arrays.fill(lower, Double.NEGATIVE_INFINITY);
            float[] upper = new float[n];
            rows.scan(rows.quantize(query), n, subjectOfRow, lower, upper);
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
    private static final class Indexed {
        final TemplateMatrix matrix;
        final Map<Long, float[]> templates = new LinkedHashMap<>();
        final Map<Long, String> owner = new HashMap<>();

        Indexed(int dimension) {
            matrix = new TemplateMatrix(dimension, 0);
        }

        void add(long face, String subject, float[] template) {
            matrix.add(face, subject, template);
            templates.put(face, template);
            owner.put(face, subject);
        }

        /**
         * The top k by each subject's best float similarity ({@link TemplateMatrix#dot}; a subject's tie won by its
         * face first in the map), ties between subjects by id: computed from the maps alone.
         */
        List<GalleryStore.Match> bruteForce(float[] query, int k) {
            Map<String, GalleryStore.Match> best = new HashMap<>();
            templates.forEach((face, t) -> {
                float similarity = TemplateMatrix.dot(query, t, 0);
                best.merge(owner.get(face), new GalleryStore.Match(owner.get(face), face, similarity),
                        (a, b) -> b.similarity() > a.similarity() ? b : a);
            });
            var sorted = new ArrayList<>(best.values());
            sorted.sort(Comparator.comparingDouble(GalleryStore.Match::similarity).reversed()
                    .thenComparing(GalleryStore.Match::subjectId));
            return sorted.subList(0, Math.min(k, sorted.size()));
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
