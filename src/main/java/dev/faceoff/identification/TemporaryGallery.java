package dev.faceoff.identification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import dev.faceoff.gallery.GalleryStore;
import dev.faceoff.gallery.OpenSetSearch;
import dev.faceoff.model.IdentificationThreshold;
import dev.faceoff.model.ModelManifest;

/**
 * A real embedded gallery store in a temporary folder, removed on close: the jobs enrol and search through it exactly
 * as the service does ({@link GalleryStore#addFace}, {@link OpenSetSearch}).
 */
final class TemporaryGallery implements AutoCloseable {

    private final Path folder;
    private final GalleryStore store;

    TemporaryGallery() throws IOException {
        folder = Files.createTempDirectory("faceoff-identification-");
        store = GalleryStore.embedded(folder);
    }

    /** One face of {@code subject}, with a template per model (the subject created at its first face). */
    void enrol(String tenant, String subject, double quality, Map<String, float[]> templates) {
        if (store.subject(tenant, subject).isEmpty()) {
            store.putSubject(tenant, subject, Optional.empty());
        }
        store.addFace(tenant, subject, quality, templates, Optional.empty()).orElseThrow();
    }

    /** A probe's identification, as the service makes it, and the probe's result for the metrics. */
    record Searched(OpenSetMetrics.Probe probe, Optional<IdentificationThreshold> threshold, GalleryStore.Counts counts) {
    }

    /**
     * The probe searched in the tenant's gallery of {@code model} (top 1, the threshold for {@code fpir} at the
     * gallery's size); {@code subject} is the probe's own, {@code mated} whether it was meant to be enrolled.
     */
    Searched search(String tenant, String model, ModelManifest manifest, float[] probe, double fpir, String subject,
                    boolean mated) {
        return search(tenant, model, manifest, probe, fpir, subject, mated, UnaryOperator.identity());
    }

    /** As {@link #search}, the person a gallery subject is given by {@code personOf} (a subject per face: its person). */
    Searched search(String tenant, String model, ModelManifest manifest, float[] probe, double fpir, String subject,
                    boolean mated, UnaryOperator<String> personOf) {
        OpenSetSearch found = OpenSetSearch.identify(store, tenant, model, manifest, probe, 1, fpir);
        boolean right = !found.found().isEmpty() && personOf.apply(found.found().get(0).subjectId()).equals(subject);
        double top = found.found().isEmpty() ? Double.NEGATIVE_INFINITY : found.best();
        return new Searched(new OpenSetMetrics.Probe(mated, right, top), found.threshold(), found.counts());
    }

    GalleryStore.Counts counts(String tenant, String model) {
        return store.count(tenant, model);
    }

    @Override
    public void close() {
        store.close();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the temporary gallery " + folder, e);
        }
    }
}
