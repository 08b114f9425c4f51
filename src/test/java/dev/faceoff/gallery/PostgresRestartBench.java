package dev.faceoff.gallery;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * Benchmark (not a test) of the postgres store's searches right after the database starts, run by
 * {@code bench/pg-restart.sh} (docs/operations.md, "The gallery's database"): {@code java -cp ...
 * dev.faceoff.gallery.PostgresRestartBench URL EMBEDDINGS SEARCHES SEED}. Each search is {@link
 * PostgresGalleryStore#search} with k = 5 (identify's) for a real face's embedding from EMBEDDINGS (the benchmark's
 * {@code real-<model>.f32}, 512 float32 a row) with Gaussian noise (σ 0.03 a value) and normalised: a new photo of
 * an enrolled person. Prints the p50 and p99 of the first 50 searches and of all, in milliseconds.
 */
public final class PostgresRestartBench {

    private static final int DIMENSION = 512;
    private static final String MODEL = "mobilefacenet-faceplugin";

    private PostgresRestartBench() {
    }

    public static void main(String[] args) throws Exception {
        var database = new GalleryProperties.Postgres(args[0], "postgres", "", 200, 2);
        FloatBuffer real = ByteBuffer.wrap(Files.readAllBytes(Path.of(args[1]))).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        int searches = Integer.parseInt(args[2]);
        var random = new Random(Long.parseLong(args[3]));
        int rows = real.capacity() / DIMENSION;
        double[] millis = new double[searches];
        try (var store = PostgresGalleryStore.open(database, Optional.empty())) {
            for (int i = 0; i < searches; i++) {
                float[] query = probe(real, random.nextInt(rows), random);
                long started = System.nanoTime();
                store.search("default", MODEL, query, 5);
                millis[i] = (System.nanoTime() - started) / 1e6;
            }
        }
        double[] first = Arrays.copyOf(millis, Math.min(50, searches));
        Arrays.sort(first);
        Arrays.sort(millis);
        System.out.printf(Locale.ROOT, "searches: the first %d p50 %.1f ms, p99 %.1f ms; all %d p50 %.1f ms, p99 %.1f ms%n",
                first.length, pct(first, 0.5), pct(first, 0.99), searches, pct(millis, 0.5), pct(millis, 0.99));
    }

    private static float[] probe(FloatBuffer real, int row, Random random) {
        float[] v = new float[DIMENSION];
        double norm = 0;
        for (int j = 0; j < DIMENSION; j++) {
            v[j] = real.get(row * DIMENSION + j) + (float) (0.03 * random.nextGaussian());
            norm += (double) v[j] * v[j];
        }
        for (int j = 0; j < DIMENSION; j++) {
            v[j] = (float) (v[j] / Math.sqrt(norm));
        }
        return v;
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }
}
