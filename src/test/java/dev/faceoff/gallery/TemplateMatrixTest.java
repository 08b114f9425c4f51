package dev.faceoff.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The exact index across its blocks: adds, removals (the last row moved into the hole), subjects emptied. */
class TemplateMatrixTest {

    @Test
    void searchMatchesABruteForceScanAcrossBlocksAfterRemovals() {
        var random = new Random(3);
        int d = 16;
        var matrix = new TemplateMatrix(d, 0);
        Map<Long, float[]> templates = new LinkedHashMap<>();
        Map<Long, String> owner = new HashMap<>();
        int n = matrix.blockRows() * 2 + 300;
        for (long f = 0; f < n; f++) {
            float[] t = GalleryStoreContract.randomUnit(random, d);
            String subject = "s" + f % 700;
            matrix.add(f, subject, t);
            templates.put(f, t);
            owner.put(f, subject);
        }
        for (long f = 0; f < n; f += 3) {
            matrix.removeFace(f);
            templates.remove(f);
        }
        matrix.removeSubject("s5");
        templates.keySet().removeIf(f -> owner.get(f).equals("s5"));
        assertThat(matrix.rows()).isEqualTo(templates.size());
        assertThat(matrix.bytes()).as("blocks no more than the rows need, plus one")
                .isLessThanOrEqualTo(((long) templates.size() / matrix.blockRows() + 1) * matrix.blockRows() * d * 4
                        + 2L * n * 12);

        for (int q = 0; q < 10; q++) {
            float[] query = GalleryStoreContract.randomUnit(random, d);
            Map<String, Double> best = new HashMap<>();
            templates.forEach((f, t) -> best.merge(owner.get(f), GalleryStoreContract.dot(query, t), Math::max));
            var expected = best.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(5).map(Map.Entry::getKey).toList();
            var found = matrix.search(query, 5);
            assertThat(found).extracting(GalleryStore.Match::subjectId).isEqualTo(expected);
            found.forEach(m -> assertThat(GalleryStoreContract.dot(query, templates.get(m.faceId())))
                    .isCloseTo(m.similarity(), within(1e-5)));
        }
        assertThat(matrix.subjectsWithRows()).isEqualTo((int) templates.keySet().stream().map(owner::get).distinct().count());

        templates.keySet().forEach(matrix::removeFace);
        assertThat(matrix.rows()).isZero();
        assertThat(matrix.subjectsWithRows()).isZero();
        assertThat(matrix.search(GalleryStoreContract.randomUnit(random, d), 5)).isEmpty();
    }
}
