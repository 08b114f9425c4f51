package dev.faceoff.gallery;

import java.io.BufferedOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * Benchmark (not a test) of the postgres store's recall@1 against exact search at several {@code ef_search}
 * settings (docs/gallery.md): {@code java -Xmx1g -cp ... dev.faceoff.gallery.PostgresRecallBench [TEMPLATES]
 * [QUERIES] [EF,EF,...]} (default 20000 200 100,200). Starts its own PostgreSQL cluster ({@link PostgresServer}),
 * fills it through {@link GalleryFill} with 512-d random unit vectors, one face a subject, and searches with k = 5
 * (identify's default: 100 candidates): half the queries random, half an enrolled template perturbed to cosine
 * 0.7 (a probe of an enrolled person). A query is a hit when the store's best subject is the exact best.
 */
public final class PostgresRecallBench {

    private static final int DIMENSION = 512;

    private PostgresRecallBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int[] settings = Arrays.stream((args.length > 2 ? args[2] : "100,200").split(",")).mapToInt(Integer::parseInt).toArray();
        var random = new Random(33);
        float[][] rows = new float[n][];
        Path folder = Files.createTempDirectory("recall-bench");
        Path vectors = folder.resolve("vectors.f32");
        Path subjects = folder.resolve("subjects.txt");
        try (var out = new BufferedOutputStream(Files.newOutputStream(vectors)); var names = Files.newBufferedWriter(subjects)) {
            ByteBuffer row = ByteBuffer.allocate(DIMENSION * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                rows[i] = GalleryBench.unit(random);
                row.clear();
                for (float v : rows[i]) {
                    row.putFloat(v);
                }
                out.write(row.array());
                names.write("s" + i + "\n");
            }
        }
        float[][] probes = new float[queries][];
        String[] exact = new String[queries];
        for (int q = 0; q < queries; q++) {
            probes[q] = q % 2 == 0 ? GalleryBench.unit(random) : GallerySearchBench.probe(rows[random.nextInt(n)], random);
            float best = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                float similarity = TemplateMatrix.dot(probes[q], rows[i], 0);
                if (similarity > best) {
                    best = similarity;
                    exact[q] = "s" + i;
                }
            }
        }
        try (var server = PostgresServer.start()) {
            String url = server.createDatabase();
            GalleryFill.main(new String[] {"postgres", url, "m", String.valueOf(DIMENSION), vectors.toString(),
                    subjects.toString(), String.valueOf(n)});
            for (int ef : settings) {
                try (var store = PostgresGalleryStore.open(new GalleryProperties.Postgres(url, "postgres", "", ef, 2), Optional.empty())) {
                    int[] hits = new int[2];
                    double[] millis = new double[queries];
                    for (int q = -10; q < queries; q++) {   // 10 of warm-up
                        float[] probe = probes[Math.floorMod(q, queries)];
                        long started = System.nanoTime();
                        var found = store.search("default", "m", probe, 5);
                        if (q >= 0) {
                            millis[q] = (System.nanoTime() - started) / 1e6;
                            hits[q % 2] += !found.isEmpty() && found.get(0).subjectId().equals(exact[q]) ? 1 : 0;
                        }
                    }
                    Arrays.sort(millis);
                    System.out.printf(Locale.ROOT, "%,d templates, ef_search %d: recall@1 %d/%d of random queries, %d/%d of "
                                    + "perturbed enrolled ones; search p50 %.1f ms, p99 %.1f ms%n", n, ef, hits[0], (queries + 1) / 2,
                            hits[1], queries / 2, millis[queries / 2], millis[(int) (queries * 0.99)]);
                }
            }
        }
    }
}
