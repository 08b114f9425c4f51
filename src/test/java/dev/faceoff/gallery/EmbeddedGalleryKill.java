package dev.faceoff.gallery;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The writer of {@link EmbeddedGalleryStoreTest#everyAcknowledgedFaceSurvivesTheProcessBeingKilled}, in a JVM of its
 * own: {@code FACES} faces of one subject written in the gallery at {@code FOLDER}, each acknowledged
 * ({@code addFace} returned), then the process halted at once, as SIGKILL stops it (no shutdown hook, the store not
 * closed).
 */
final class EmbeddedGalleryKill {

    private EmbeddedGalleryKill() {
    }

    public static void main(String[] args) {
        Path folder = Path.of(args[0]);
        int faces = Integer.parseInt(args[1]);
        var store = EmbeddedGalleryStore.open(folder, Optional.empty());
        store.putSubject("acme", "alice", Optional.empty());
        var random = new java.util.Random(7);
        for (int f = 0; f < faces; f++) {
            store.addFace("acme", "alice", 0.9, Map.of("m", GalleryStoreContract.randomUnit(random, 8)), Optional.empty())
                    .orElseThrow();
        }
        System.out.println("acknowledged " + faces);
        System.out.flush();
        Runtime.getRuntime().halt(137);
    }
}
