package dev.faceoff.gallery;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

import org.junit.jupiter.api.io.TempDir;

/** The gallery contract on the embedded store: H2 in a temporary folder, reopened from it for the restart. */
class EmbeddedGalleryStoreTest extends GalleryStoreContract {

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
