package dev.faceoff.gallery;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Benchmark (not a test) of the embedded gallery, run once by hand (docs/gallery.md, "Memory of the embedded
 * index"): {@code java -Xmx1g -cp ... dev.faceoff.gallery.GalleryBench [FACES] [DB_FACES]}.
 * <ol>
 * <li>the exact index: FACES subjects of one face × 3 models × 512-d random unit vectors in
 *     {@link TemplateMatrix}es, the heap they hold (after a full GC) and search p50 / p99 (k = 10);</li>
 * <li>the embedded store end to end: DB_FACES faces through {@link EmbeddedGalleryStore#addFace} (3 templates
 *     and a sealed crop each, one transaction each) after the store calls an enrolment makes before it (the
 *     subject, the duplicate check), each timed; the file's size, and the time to reopen it (the index loaded at
 *     start-up).</li>
 * </ol>
 */
public final class GalleryBench {

    private static final int DIMENSION = 512;
    private static final String[] MODELS = {"model-a", "model-b", "model-c"};

    private GalleryBench() {
    }

    public static void main(String[] args) throws Exception {
        int faces = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int dbFaces = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        System.out.printf(Locale.ROOT, "max heap %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
        index(faces);
        if (dbFaces > 0) {
            store(dbFaces);
        }
    }

    private static void index(int faces) {
        var random = new Random(1);
        long before = heap();
        var matrices = new TemplateMatrix[MODELS.length];
        long started = System.nanoTime();
        for (int m = 0; m < MODELS.length; m++) {
            matrices[m] = new TemplateMatrix(DIMENSION, faces);
            for (int f = 0; f < faces; f++) {
                matrices[m].put("subject-" + f, unit(random), 1);
            }
        }
        long filled = System.nanoTime();
        long used = heap() - before;
        System.out.printf(Locale.ROOT, "index: %,d faces x %d models x %d-d float32 = %,d MB of vectors; "
                        + "heap held %,d MiB (arrays %,d MiB), filled in %.1f s%n", faces, MODELS.length, DIMENSION,
                (long) faces * MODELS.length * DIMENSION * 4 / 1_000_000, used >> 20,
                Arrays.stream(matrices).mapToLong(TemplateMatrix::bytes).sum() >> 20, (filled - started) / 1e9);
        int queries = 200;
        double[] millis = new double[queries];
        for (int warm = 0; warm < 20; warm++) {
            matrices[warm % 3].search(unit(random), 10);
        }
        for (int q = 0; q < queries; q++) {
            float[] query = unit(random);
            long t = System.nanoTime();
            matrices[q % 3].search(query, 10);
            millis[q] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(millis);
        System.out.printf(Locale.ROOT, "search of %,d templates (k=10, one thread): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                faces, millis[queries / 2], millis[(int) (queries * 0.99)], millis[queries - 1]);
        System.out.printf(Locale.ROOT, "process: heap used %,d MiB of %,d MiB, resident %s%n",
                heap() >> 20, Runtime.getRuntime().maxMemory() >> 20, resident());
        Arrays.fill(matrices, null);
    }

    private static void store(int faces) throws Exception {
        Path folder = Files.createTempDirectory("gallery-bench");
        var random = new Random(2);
        long started = System.nanoTime();
        var cipher = FaceCipher.fromBase64(java.util.Base64.getEncoder().encodeToString(new byte[32]));
        byte[] crop = new byte[112 * 112 * 3];
        random.nextBytes(crop);
        double[][] millis = new double[3][faces];
        try (var store = EmbeddedGalleryStore.open(folder, Optional.of(cipher))) {
            for (int f = 0; f < faces; f++) {
                String subject = "subject-" + f / 4;
                if (f % 4 == 0) {
                    store.putSubject("bench", subject, Optional.empty());
                }
                float[] first = unit(random);
                // what an enrolment asks of the store: the subject, the duplicate check (count, closestOther), the write
                long t0 = System.nanoTime();
                store.subject("bench", subject);
                long t1 = System.nanoTime();
                store.count("bench", MODELS[0]);
                store.closestOther("bench", MODELS[0], first, subject);
                long t2 = System.nanoTime();
                store.addFace("bench", subject, 0.9, Map.of(MODELS[0], first, MODELS[1], unit(random),
                        MODELS[2], unit(random)), Optional.of(crop));
                long t3 = System.nanoTime();
                millis[0][f] = (t1 - t0) / 1e6;
                millis[1][f] = (t2 - t1) / 1e6;
                millis[2][f] = (t3 - t2) / 1e6;
            }
        }
        double written = (System.nanoTime() - started) / 1e9;
        String[] parts = {"subject read", "duplicate check (count, closestOther)", "addFace (3 templates, sealed crop)"};
        for (int p = 0; p < parts.length; p++) {
            double[] last = Arrays.copyOfRange(millis[p], faces / 2, faces);   // the second half: the larger gallery
            Arrays.sort(last);
            System.out.printf(Locale.ROOT, "enrolment's store calls, faces %,d-%,d: %s p50 %.2f ms, p99 %.2f ms%n",
                    faces / 2, faces, parts[p], last[last.length / 2], last[(int) (last.length * 0.99)]);
        }
        long bytes = Files.size(folder.resolve("gallery.mv.db"));
        long before = heap();
        long opened = System.nanoTime();
        try (var store = EmbeddedGalleryStore.open(folder, Optional.of(cipher))) {
            double load = (System.nanoTime() - opened) / 1e9;
            System.out.printf(Locale.ROOT, "embedded store: %,d faces (3 templates each) written in %.1f s (%.0f faces/s), "
                            + "file %,d MB (%,d bytes a face); reopened with its index in %.2f s, index heap %,d MiB; %s%n",
                    faces, written, faces / written, bytes / 1_000_000, bytes / faces, load, (heap() - before) >> 20,
                    store.count("bench", MODELS[0]));
        }
        try (var paths = Files.walk(folder)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static float[] unit(Random random) {
        float[] v = new float[DIMENSION];
        double norm = 0;
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
            norm += (double) v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < DIMENSION; i++) {
            v[i] *= scale;
        }
        return v;
    }

    private static long heap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String resident() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                    .map(l -> l.replaceAll("\\s+", " ").substring(7)).findFirst().orElse("?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
