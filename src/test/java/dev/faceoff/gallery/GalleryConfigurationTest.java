package dev.faceoff.gallery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** {@code faceoff.gallery.*} → the store: on by default, none when disabled; embedded by default, opened at start-up; the face key checked. */
class GalleryConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(GalleryProperties.class)
    static class Properties {
    }

    @TempDir
    Path folder;

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Properties.class, GalleryConfiguration.class);

    @Test
    void onByDefaultAndNoneWhenDisabled() {
        runner.withPropertyValues("faceoff.gallery.path=" + folder)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GalleryStore.class));
        runner.withPropertyValues("faceoff.gallery.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GalleryStore.class));
    }

    @Test
    void theEmbeddedStoreIsTheDefaultAndKeepsItsDataInItsFolder() {
        runner.withPropertyValues("faceoff.gallery.enabled=true", "faceoff.gallery.path=" + folder).run(context -> {
            assertThat(context).hasNotFailed().getBean(GalleryStore.class).isInstanceOf(EmbeddedGalleryStore.class);
            var store = context.getBean(GalleryStore.class);
            store.putSubject("acme", "alice", Optional.empty());
            store.addFace("acme", "alice", 0.9, Map.of("m", new float[] {0, 1}), Optional.of(new byte[] {1}));
        });
        assertThat(folder.resolve("gallery.mv.db")).exists();
        // the context closed the store: the folder opens again, with the subject and no crop (faces not kept)
        try (var store = EmbeddedGalleryStore.open(folder, Optional.empty())) {
            assertThat(store.count("acme", "m")).isEqualTo(new GalleryStore.Counts(1, 1));
            assertThat(store.facesWithout("other", 0, 10)).singleElement().satisfies(f -> assertThat(f.crop()).isEmpty());
        }
    }

    @Test
    void keepingFacesNeedsA256BitKey() {
        runner.withPropertyValues("faceoff.gallery.enabled=true", "faceoff.gallery.path=" + folder,
                "faceoff.gallery.keep-faces=true").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("keep-faces needs faceoff.gallery.face-key"));
        runner.withPropertyValues("faceoff.gallery.enabled=true", "faceoff.gallery.path=" + folder,
                "faceoff.gallery.keep-faces=true", "faceoff.gallery.face-key=" + Base64.getEncoder().encodeToString(new byte[16]))
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("256 bits"));
        runner.withPropertyValues("faceoff.gallery.enabled=true", "faceoff.gallery.path=" + folder,
                "faceoff.gallery.keep-faces=true", "faceoff.gallery.face-key=" + Base64.getEncoder().encodeToString(new byte[32]))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GalleryStore.class));
    }

    @Test
    void theSecretsAreNeverPrinted() {
        var properties = new GalleryProperties(true, GalleryProperties.Store.POSTGRES, folder, true, "a2V5LXNlY3JldA==",
                new GalleryProperties.Postgres("jdbc:postgresql://db/faceoff", "faceoff", "pass-secret", 100, 2), List.of(), 0.3, 1e-2);
        assertThat(properties.toString()).contains("jdbc:postgresql://db/faceoff").doesNotContain("pass-secret")
                .doesNotContain("a2V5LXNlY3JldA==");
    }

    @Test
    void thePostgresStoreNeedsAUrl() {
        runner.withPropertyValues("faceoff.gallery.enabled=true", "faceoff.gallery.store=postgres").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("needs faceoff.gallery.postgres.url"));
    }
}
