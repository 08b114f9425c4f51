package dev.faceoff.gallery;

import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Every test of {@link PostgresGalleryStoreTest} (the gallery contract, the HNSW index, the database down and back)
 * on Testcontainers' {@code pgvector/pgvector:pg15} image instead of this machine's PostgreSQL. Disabled, and
 * reported so, where no Docker engine answers (the project's build machines and CI have none: there
 * {@link PostgresGalleryStoreTest} runs on a local cluster, and fails in CI if PostgreSQL or pgvector is missing).
 */
@Testcontainers(disabledWithoutDocker = true)
class PostgresContainerGalleryStoreTest extends PostgresGalleryStoreTest {

    /** Hides {@link PostgresGalleryStoreTest#startServer()}: the container instead of a local cluster. */
    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresContainer.start();
    }
}
