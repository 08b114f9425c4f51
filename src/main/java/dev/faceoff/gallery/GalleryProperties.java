package dev.faceoff.gallery;

import java.nio.file.Path;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.gallery.*}: where enrolled subjects are kept (docs/gallery.md).
 *
 * @param enabled   open the gallery at start-up and serve its API ({@code /v1/subjects}, {@code /v1/identify}); off:
 *                  those endpoints answer 404
 * @param store     {@code embedded} (H2 in {@code path}, exact in-memory index; one replica) or {@code postgres}
 *                  (PostgreSQL + pgvector, shared by every replica)
 * @param path      the embedded store's folder
 * @param keepFaces keep each face's aligned 112×112 crop, AES-GCM sealed with {@code faceKey} (for re-enrolment
 *                  with a new model); off: only templates are stored
 * @param faceKey   base64 of a 256-bit key (from a secret: {@code FACEOFF_GALLERY_FACE_KEY}); needed when faces
 *                  are kept
 * @param postgres  the postgres store's database
 * @param models    the models every face is enrolled with (one template each); empty: every model routing may
 *                  choose (the default model, the default experiment's variants and shadows)
 * @param enrolMinQuality the quality gate of an enrolment (per request {@code min_quality}): stricter than
 *                  verification's, a template is compared with every later probe
 * @param fpir      the false-positive identification rate an identification's threshold is set at (per request
 *                  {@code fpir})
 */
@Validated
@ConfigurationProperties("faceoff.gallery")
public record GalleryProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("embedded") Store store,
        @NotNull @DefaultValue("data/gallery") Path path,
        @DefaultValue("false") boolean keepFaces,
        String faceKey,
        @NotNull @Valid @DefaultValue Postgres postgres,
        @NotNull @DefaultValue List<String> models,
        @DecimalMin("0") @DecimalMax("1") @DefaultValue("0.3") double enrolMinQuality,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false) @DefaultValue("1e-2")
        double fpir) {

    public enum Store { EMBEDDED, POSTGRES }

    /**
     * @param url      JDBC URL, {@code jdbc:postgresql://host:5432/faceoff}
     * @param user     database user
     * @param password its password (from a secret: {@code FACEOFF_GALLERY_POSTGRES_PASSWORD})
     * @param efSearch HNSW candidate list size ({@code hnsw.ef_search}); at least the candidates a search asks for
     * @param poolSize connections to the database
     */
    public record Postgres(String url, String user, String password,
                           @Min(1) @Max(1000) @DefaultValue("200") int efSearch,
                           @Min(1) @DefaultValue("4") int poolSize) {

        /** Never the password. */
        @Override
        public String toString() {
            return "Postgres[url=" + url + ", user=" + user + ", efSearch=" + efSearch + ", poolSize=" + poolSize + "]";
        }
    }

    /** Never the face key. */
    @Override
    public String toString() {
        return "GalleryProperties[enabled=" + enabled + ", store=" + store + ", path=" + path + ", keepFaces=" + keepFaces
                + ", postgres=" + postgres + ", models=" + models + ", enrolMinQuality=" + enrolMinQuality + ", fpir=" + fpir + "]";
    }

    @AssertTrue(message = "faceoff.gallery.keep-faces needs faceoff.gallery.face-key")
    public boolean isFaceKeyGivenWhenFacesAreKept() {
        return !keepFaces || (faceKey != null && !faceKey.isBlank());
    }

    @AssertTrue(message = "faceoff.gallery.store=postgres needs faceoff.gallery.postgres.url")
    public boolean isPostgresUrlGiven() {
        return store != Store.POSTGRES || (postgres != null && postgres.url() != null && !postgres.url().isBlank());
    }
}
