package dev.faceoff.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.faceoff.SharedData;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.common.StageTimings;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.embedding.Vectors;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.face.PreparedFace;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.routing.ModelStores;

/**
 * The CI tier of the robustness suite: 24 LFW photos, each transform generated here from the face found on
 * the untouched photo, through the serving pipeline (default detector) with the real models. The full
 * suite is {@code java -jar target/faceoff.jar robustness} (README, "Faces in the wild").
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class RobustnessSampleTest {

    static Path lfw;

    @BeforeAll
    static void data() {
        lfw = SharedData.lfw();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        ModelStores.register(registry);
    }

    @Autowired
    FacePipeline pipeline;
    @Autowired
    EmbeddingModel embedder;
    @Autowired
    ModelRepository models;
    @Autowired
    DetectionProperties detection;

    /** 24 photos of 24 people: the first photo of the first identities (alphabetically) with at least two. */
    static List<Path> photos() throws Exception {
        var photos = new ArrayList<Path>();
        try (var dirs = Files.list(lfw)) {
            for (Path dir : dirs.sorted().toList()) {
                Path second = dir.resolve(dir.getFileName() + "_0002.jpg");
                if (Files.exists(second)) {
                    photos.add(dir.resolve(dir.getFileName() + "_0001.jpg"));
                }
                if (photos.size() == 24) {
                    break;
                }
            }
        }
        return photos;
    }

    PreparedFace prepare(byte[] bytes) {
        try {
            return pipeline.prepare(bytes, detection.select(), "image", new StageTimings());
        } catch (FaceoffException e) {
            return null;
        }
    }

    @Test
    void transformedPhotosStillHaveTheirFace() throws Exception {
        LoadedModel model = models.embedding("mobilefacenet-faceplugin").orElseThrow();
        var missing = new LinkedHashMap<Transforms, Integer>();
        var similarity = new LinkedHashMap<Transforms, Double>();
        List<Path> photos = photos();
        for (Path photo : photos) {
            PreparedFace original = prepare(Files.readAllBytes(photo));
            assertThat(original).as("a face in the untouched " + photo.getFileName()).isNotNull();
            float[] reference = embedder.embed(model, List.of(original.aligned())).get(0);
            Mat pixels = Imgcodecs.imread(photo.toString());
            for (Transforms t : Transforms.values()) {
                Mat changed = t.apply(pixels, original.face());
                PreparedFace face = prepare(Transforms.jpeg(changed));
                changed.release();
                missing.merge(t, face == null ? 1 : 0, Integer::sum);
                if (face != null) {
                    double s = Vectors.cosine(reference, embedder.embed(model, List.of(face.aligned())).get(0));
                    similarity.merge(t, s / photos.size(), Double::sum);
                }
            }
            pixels.release();
        }
        System.out.println("robustness sample (" + models.detector().name() + "): without a face " + missing
                + "; mean cosine to the untouched photo " + similarity);
        for (Transforms t : List.of(Transforms.TIGHT, Transforms.DOWN64, Transforms.DOWN48, Transforms.SUNGLASSES,
                Transforms.MASK, Transforms.CANVAS12MP, Transforms.ROT90)) {
            assertThat(missing.get(t)).as(t.label() + ": photos without a face, of " + photos.size()).isLessThanOrEqualTo(1);
        }
        // the large-photo path (reduced decode, full-size re-decode, area pre-shrink) sees the same face
        assertThat(similarity.get(Transforms.CANVAS12MP)).isGreaterThan(0.9);
        assertThat(similarity.get(Transforms.ROT90)).isGreaterThan(0.9);
        assertThat(similarity.get(Transforms.TIGHT)).isGreaterThan(0.8);
    }
}
