package dev.faceoff.gallery;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Benchmark (not a test) of {@link TemplateMatrix}'s search against the exhaustive float scan it replaced, in one
 * run, query by query alternately on the same index (docs/gallery.md): {@code java -Xmx1g -cp ...
 * dev.faceoff.gallery.GallerySearchBench [SIZES] [QUERIES] [K]}, SIZES comma-separated (default 10000,100000). Each
 * size: that many 512-d random unit templates, 4 a subject, one model; K default 5 (identify's default; an
 * enrolment's duplicate check searches with 2); half the
 * queries random unit vectors, half an enrolled template perturbed to cosine about 0.7 (a probe of an enrolled
 * person). Every answer of the search is checked equal to the scan's. The search is timed twice: on the caller's
 * thread alone, and with its coarse pass shared with a helper thread (as the embedded store does when a core is
 * free; {@link QuantizedRows#scan}).
 */
public final class GallerySearchBench {

    private static final int DIMENSION = 512;

    private GallerySearchBench() {
    }

    public static void main(String[] args) {
        String sizes = args.length > 0 ? args[0] : "10000,100000";
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        for (String size : sizes.split(",")) {
            run(Integer.parseInt(size.trim()), queries, k);
        }
    }

    private static void run(int templates, int queries, int k) {
        var random = new Random(templates);
        var matrix = new TemplateMatrix(DIMENSION, templates);
        float[][] some = new float[64][];
        for (int f = 0; f < templates; f++) {
            float[] t = GalleryBench.unit(random);
            matrix.put("subject-" + f, t, 1);
            if (f % Math.max(1, templates / some.length) == 0 && f / Math.max(1, templates / some.length) < some.length) {
                some[f / Math.max(1, templates / some.length)] = t;
            }
        }
        double[] search = new double[queries];
        double[] shared = new double[queries];
        double[] scan = new double[queries];
        int differ = 0;
        var helper = java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
            var thread = new Thread(task, "helper");
            thread.setDaemon(true);
            return thread;
        });
        for (int q = -40; q < queries; q++) {   // 40 of warm-up
            float[] query = q % 2 == 0 ? GalleryBench.unit(random) : probe(some[Math.floorMod(q, some.length)], random);
            long t0 = System.nanoTime();
            var found = matrix.search(query, k);
            long t1 = System.nanoTime();
            var expected = matrix.searchExhaustive(query, k);
            long t2 = System.nanoTime();
            var together = matrix.search(query, k, java.util.Optional.of(helper));
            long t3 = System.nanoTime();
            if (q >= 0) {
                search[q] = (t1 - t0) / 1e6;
                scan[q] = (t2 - t1) / 1e6;
                shared[q] = (t3 - t2) / 1e6;
                differ += found.equals(expected) && together.equals(expected) ? 0 : 1;
            }
        }
        helper.shutdown();
        Arrays.sort(search);
        Arrays.sort(scan);
        Arrays.sort(shared);
        System.out.printf(Locale.ROOT, "%,d templates, k=%d, %d queries: exhaustive scan p50 %.2f ms p99 %.2f ms; "
                        + "two-pass search p50 %.2f ms p99 %.2f ms (%.1fx at p50, %.1fx at p99); answers that differ: %d%n",
                templates, k, queries, pct(scan, 0.5), pct(scan, 0.99), pct(search, 0.5), pct(search, 0.99),
                pct(scan, 0.5) / pct(search, 0.5), pct(scan, 0.99) / pct(search, 0.99), differ);
        System.out.printf(Locale.ROOT, "  the search with its coarse pass shared with a helper thread: p50 %.2f ms p99 %.2f ms "
                + "(%.2fx the caller alone at p50)%n", pct(shared, 0.5), pct(shared, 0.99), pct(shared, 0.5) / pct(search, 0.5));
    }

    /** The template perturbed by Gaussian noise to a cosine of about 0.7 with it. */
    static float[] probe(float[] template, Random random) {
        float[] noise = GalleryBench.unit(random);
        float[] p = new float[DIMENSION];
        double norm = 0;
        for (int i = 0; i < DIMENSION; i++) {
            p[i] = 0.7f * template[i] + 0.714f * noise[i];
            norm += (double) p[i] * p[i];
        }
        for (int i = 0; i < DIMENSION; i++) {
            p[i] = (float) (p[i] / Math.sqrt(norm));
        }
        return p;
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
    }
}
