package dev.faceoff.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import dev.faceoff.jobs.JobArgs;

/** The reenrol job's arguments, when it refuses before touching a model or the store, and its progress line. */
class ReenrolJobTest {

    static ReenrolJob.Settings settings(String... args) {
        return ReenrolJob.settings(JobArgs.parse(args));
    }

    static GalleryProperties gallery(boolean keepFaces, String faceKey) {
        return new GalleryProperties(false, GalleryProperties.Store.EMBEDDED, Path.of("data/gallery"), keepFaces, faceKey,
                new GalleryProperties.Postgres(null, null, null, 200, 4), java.util.List.of(), 0.3, 1e-2);
    }

    @Test
    void theModelIsRequiredAndTheBatchBounded() {
        assertThat(settings("reenrol", "--model", "cosface-ft")).isEqualTo(new ReenrolJob.Settings("cosface-ft", 32));
        assertThat(settings("reenrol", "--model=cosface-ft", "--batch", "8", "--faceoff.gallery.path=/g"))
                .isEqualTo(new ReenrolJob.Settings("cosface-ft", 8));
        assertThatThrownBy(() -> settings("reenrol")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--model is required");
        assertThatThrownBy(() -> settings("reenrol", "--model")).hasMessage("--model is required");
        assertThatThrownBy(() -> settings("reenrol", "--model", "m", "--batch", "0")).hasMessage("--batch must be 1 to 1000");
        assertThatThrownBy(() -> settings("reenrol", "--model", "m", "--batch", "1001")).hasMessage("--batch must be 1 to 1000");
        assertThatThrownBy(() -> settings("reenrol", "--model", "m", "--batch", "ten"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--batch must be a whole number, not 'ten'");
        assertThatThrownBy(() -> settings("reenrol", "--model", "m", "--models", "a,b"))
                .hasMessageStartingWith("unknown option --models for 'reenrol'");
    }

    @Test
    void withoutKeptFacesThereIsNothingToEmbed() {
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        assertThat(ReenrolJob.cannot(gallery(true, key))).isEmpty();
        assertThat(ReenrolJob.cannot(gallery(false, key))).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("keep-faces is off").contains("enrolled again from photos").doesNotContain("\n");
        assertThat(ReenrolJob.cannot(gallery(false, null))).isPresent();
        assertThat(ReenrolJob.cannot(gallery(true, " "))).isPresent();
    }

    @Test
    void progressSaysDoneOfTotalTheRateAndWhatIsLeft() {
        assertThat(ReenrolJob.progress(640, 1200, 30_000_000_000L))
                .isEqualTo("reenrol: 640/1200 faces (53%), 21.3 faces/s, ETA 26 s");
        assertThat(ReenrolJob.progress(0, 0, 1_000_000L)).isEqualTo("reenrol: 0/0 faces (100%), 0.0 faces/s");
        assertThat(ReenrolJob.progress(1300, 1200, 10_000_000_000L)).as("faces enrolled meanwhile")
                .isEqualTo("reenrol: 1300/1200 faces (100%), 130.0 faces/s");
    }
}
