package dev.faceoff.gallery;

import java.util.List;
import java.util.Optional;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.model.IdentificationThreshold;
import dev.faceoff.model.ModelManifest;

/**
 * One probe identified in a tenant's gallery of one model, the way the service identifies (docs/gallery.md): the
 * store's search (each subject by its mean template) and the open-set threshold for the target FPIR at N, the
 * tenant's subjects with a template of the model. The one definition, used by {@code POST /v1/identify} and by the jobs that measure it.
 *
 * @param counts    the tenant's subjects and templates of the model
 * @param threshold the identification threshold at N = {@link #gallerySize}; empty for an empty gallery
 * @param found     the top subjects, highest first (empty for an empty gallery)
 * @param searchNanos how long the search took
 */
public record OpenSetSearch(GalleryStore.Counts counts, Optional<IdentificationThreshold> threshold,
                            List<GalleryStore.Match> found, long searchNanos) {

    /** N of the threshold: each subject, searched by its one mean template, is one chance of a false accept. */
    public static long gallerySize(GalleryStore.Counts counts) {
        return counts.subjects();
    }

    /**
     * The top {@code k} subjects for {@code probe} and the threshold for {@code fpir} at the gallery's size;
     * {@code model_not_calibrated} for a model without an impostor tail.
     */
    public static OpenSetSearch identify(GalleryStore store, String tenant, String model, ModelManifest manifest,
                                         float[] probe, int k, double fpir) {
        GalleryStore.Counts counts = store.count(tenant, model);
        if (gallerySize(counts) == 0) {
            return new OpenSetSearch(counts, Optional.empty(), List.of(), 0);
        }
        IdentificationThreshold at = manifest.identificationThreshold(fpir, gallerySize(counts))
                .orElseThrow(() -> new FaceoffException(ErrorCode.MODEL_NOT_CALIBRATED, "model " + model
                        + " has no impostor tail in its model.json (evaluate --calibrate): it verifies but cannot identify"));
        long started = System.nanoTime();
        List<GalleryStore.Match> found = store.search(tenant, model, probe, k);
        return new OpenSetSearch(counts, Optional.of(at), found, System.nanoTime() - started);
    }

    /** The best subject's similarity; −1 when nothing was found. */
    public double best() {
        return found.isEmpty() ? -1 : found.get(0).similarity();
    }

    /** Whether the best subject is accepted: its similarity at or above the threshold (the verification path's rule). */
    public boolean match() {
        return threshold.isPresent() && !found.isEmpty() && best() >= threshold.get().cosine();
    }
}
