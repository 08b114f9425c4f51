package dev.faceoff.alignment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.DetectionProperties.Points;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.model.ModelLoadException;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.model.ModelRunner;

/** A store without the landmark model is fine only when the detector's own points are used. */
class LandmarkModelTest {

    private static DetectionProperties points(Points points) {
        return new DetectionProperties(null, 0.4, 20, FaceSelection.LARGEST, 0.25, DetectionProperties.PadWhen.NEEDED, 160,
                640, points, true, true, true);
    }

    @Test
    void missingLandmarksStopStartUpWhenThePointsComeFromThem() {
        ModelRepository store = mock(ModelRepository.class);
        given(store.landmarks()).willReturn(Optional.empty());
        given(store.landmarksName()).willReturn("landmarks-68");
        ModelRunner runner = mock(ModelRunner.class);

        assertThat(new LandmarkModel(store, runner, points(Points.DETECTOR)).loaded()).isFalse();
        assertThatThrownBy(() -> new LandmarkModel(store, runner, points(Points.LANDMARKS)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("faceoff.detection.points=landmarks")
                .hasMessageContaining("landmarks-68");
        assertThatThrownBy(() -> new LandmarkModel(store, runner, points(Points.MEAN))).isInstanceOf(ModelLoadException.class);
        assertThatThrownBy(() -> new LandmarkModel(store, runner, points(Points.DETECTOR)).predict(null, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no landmark model");
    }
}
