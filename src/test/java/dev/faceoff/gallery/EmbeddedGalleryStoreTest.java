package dev.faceoff.gallery;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gallery contract on the embedded store: H2 in a temporary folder, reopened from it for the restart; and what
 * a process killed after acknowledging writes leaves (H2 keeps a commit in memory up to its write delay unless told
 * otherwise: {@code WRITE_DELAY=0}).
 */
class EmbeddedGalleryStoreTest extends GalleryStoreContract {

    @Test
    void everyAcknowledgedFaceSurvivesTheProcessBeingKilled() throws Exception {
        Path gallery = folder.resolve("killed");
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(launcher, "-cp", System.getProperty("java.class.path"),
                EmbeddedGalleryKill.class.getName(), gallery.toString(), "300").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isEqualTo(137);
        assertThat(output).contains("acknowledged 300");
        try (var reopened = EmbeddedGalleryStore.open(gallery, Optional.empty())) {
            assertThat(reopened.faces("acme", "alice")).hasSize(300);
            assertThat(reopened.count("acme", "m")).isEqualTo(new GalleryStore.Counts(1, 300));
        }
    }

    @TempDir
    Path folder;

    @Override
    GalleryStore openNew(Optional<FaceCipher> cipher) {
        return EmbeddedGalleryStore.open(folder, cipher);
    }

    @Override
    GalleryStore reopen(Optional<FaceCipher> cipher) {
        return EmbeddedGalleryStore.open(folder, cipher);
    }

    @Override
    Connection jdbc() throws SQLException {
        return DriverManager.getConnection(EmbeddedGalleryStore.url(folder), "faceoff", "");
    }
}
