package dev.faceoff.gallery;

import java.util.Optional;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gallery store named by {@code faceoff.gallery.store}, opened (its index loaded) at start-up when the gallery is enabled. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "faceoff.gallery.enabled", matchIfMissing = true)
class GalleryConfiguration {

    @Bean
    GalleryStore galleryStore(GalleryProperties properties) {
        return open(properties);
    }

    /** The configured store, opened (the {@code reenrol} job opens it so when the gallery is not enabled). */
    static GalleryStore open(GalleryProperties properties) {
        Optional<FaceCipher> cipher = properties.keepFaces()
                ? Optional.of(FaceCipher.fromBase64(properties.faceKey())) : Optional.empty();
        return switch (properties.store()) {
            case EMBEDDED -> EmbeddedGalleryStore.open(properties.path(), cipher);
            case POSTGRES -> PostgresGalleryStore.open(properties.postgres(), cipher);
        };
    }
}
