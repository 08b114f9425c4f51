package dev.faceoff.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.faceoff.FaceoffApplication;
import dev.faceoff.SharedData;
import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.common.StageTimings;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.face.PreparedFace;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.testing.ModelStores;

/**
 * {@code reenrol} end to end, on real models and real LFW photos: faces prepared by the service's pipeline and
 * enrolled with the pretrained model (crops kept), then the job run as the jar runs it for a fine-tuned model of
 * {@code models/}; the templates are what serving would embed, search with the new model finds each subject,
 * a rerun does nothing, and the gallery opens and serves with the old model no longer loaded.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReenrolEndToEndTest {

    static final String OLD = ModelStores.PRETRAINED;
    static final String NEW = "cosface-ft";
    static final String KEY = Base64.getEncoder().encodeToString("reenrol-end-to-end-test-face-key".getBytes());
    static final int SUBJECTS = 6;

    /** One LFW photo made ready: its subject, tenant and aligned face. */
    record Photo(String tenant, String subject, PreparedFace face) {
    }

    static ConfigurableApplicationContext context;
    static LoadedModel oldModel;
    static LoadedModel newModel;
    static EmbeddingModel embedding;
    static final List<Photo> enrolled = new ArrayList<>();
    static final List<Photo> probes = new ArrayList<>();

    @BeforeAll
    static void prepare() throws IOException {
        Path lfw = SharedData.lfw();
        context = app(List.of("faceoff.models.include=" + OLD + "," + NEW)).run();
        var models = context.getBean(ModelRepository.class);
        oldModel = models.embedding(OLD).orElseThrow();
        newModel = models.embedding(NEW).orElseThrow();
        embedding = context.getBean(EmbeddingModel.class);
        var pipeline = context.getBean(FacePipeline.class);
        List<Path> people;
        try (Stream<Path> all = Files.list(lfw)) {
            people = all.sorted().filter(p -> photos(p).size() >= 3).limit(SUBJECTS).toList();
        }
        for (int s = 0; s < people.size(); s++) {
            List<Path> photos = photos(people.get(s));
            String tenant = s % 2 == 0 ? "acme" : "globex";
            String subject = people.get(s).getFileName().toString();
            for (int i = 0; i < 3; i++) {
                PreparedFace face = pipeline.prepare(Files.readAllBytes(photos.get(i)), FaceSelection.LARGEST, "image",
                        new StageTimings());
                (i < 2 ? enrolled : probes).add(new Photo(tenant, subject, face));
            }
        }
    }

    @AfterAll
    static void close() {
        if (context != null) {
            context.close();
        }
    }

    static List<Path> photos(Path person) {
        try (Stream<Path> files = Files.list(person)) {
            return files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** faceoff on {@code models/} (CPU) with more properties, as the jar starts it for a job. */
    static SpringApplicationBuilder app(List<String> properties) {
        var all = new ArrayList<>(ModelStores.properties(SharedData.models()));
        all.addAll(properties);
        return new SpringApplicationBuilder(FaceoffApplication.class).web(WebApplicationType.NONE)
                .properties(all.toArray(String[]::new));
    }

    /** Runs a job through the dispatcher on the gallery in {@code folder}; its exit code. */
    static int job(Path folder, boolean keepFaces, String... args) {
        var properties = new ArrayList<>(List.of("faceoff.job=" + args[0], "faceoff.models.include=" + OLD + "," + NEW,
                "faceoff.gallery.path=" + folder));
        if (keepFaces) {
            properties.addAll(List.of("faceoff.gallery.keep-faces=true", "faceoff.gallery.face-key=" + KEY));
        }
        return SpringApplication.exit(app(properties).run(args));
    }

    static GalleryStore open(Path folder) {
        return EmbeddedGalleryStore.open(folder, Optional.of(FaceCipher.fromBase64(KEY)));
    }

    /** Enrols every prepared face with the old model, its crop kept; the face ids in order. */
    static List<Long> enrol(GalleryStore store) {
        var ids = new ArrayList<Long>();
        for (Photo photo : enrolled) {
            store.putSubject(photo.tenant(), photo.subject(), Optional.empty());
            float[] template = embedding.embed(oldModel, List.of(photo.face().aligned())).get(0);
            ids.add(store.addFace(photo.tenant(), photo.subject(), photo.face().quality().score(), Map.of(OLD, template),
                    Optional.of(photo.face().aligned().bgr())).orElseThrow());
        }
        return ids;
    }

    /** The stored template of a face, read from the table (H2: float32 little-endian). */
    static float[] stored(Path folder, long faceId, String model) throws SQLException {
        try (var c = DriverManager.getConnection(EmbeddedGalleryStore.url(folder), "faceoff", "");
             var query = c.prepareStatement("SELECT embedding FROM gallery_template WHERE face_id = ? AND model = ?")) {
            query.setLong(1, faceId);
            query.setString(2, model);
            try (var row = query.executeQuery()) {
                assertThat(row.next()).as("face " + faceId + " has a template of " + model).isTrue();
                var floats = ByteBuffer.wrap(row.getBytes(1)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                float[] template = new float[floats.remaining()];
                floats.get(template);
                return template;
            }
        }
    }

    @Test
    void reenrolmentEmbedsTheKeptCropsAsServingWouldResumesAndOutlivesTheOldModel(@TempDir Path folder,
                                                                                  CapturedOutput output) throws Exception {
        List<Long> faces;
        try (GalleryStore store = open(folder)) {
            faces = enrol(store);
            assertThat(store.countFacesWithout(NEW)).isEqualTo(enrolled.size());
        }

        assertThat(job(folder, true, "reenrol", "--model", NEW, "--batch", "5")).isZero();
        assertThat(output.getErr()).contains("reenrol: " + enrolled.size() + " faces without a template of " + NEW)
                .contains("reenrol: " + enrolled.size() + "/" + enrolled.size() + " faces (100%)")
                .contains("reenrol: " + enrolled.size() + " templates of " + NEW + " written, 0 faces without a stored crop");

        for (int i = 0; i < faces.size(); i++) {   // what serving's embedding of the same aligned crop gives
            AlignedFace crop = enrolled.get(i).face().aligned();
            float[] direct = embedding.embed(newModel, List.of(crop)).get(0);
            float[] template = stored(folder, faces.get(i), NEW);
            assertThat(template).hasSize(newModel.manifest().output().dim());
            for (int d = 0; d < direct.length; d++) {
                assertThat(template[d]).as("face %d, value %d", i, d).isCloseTo(direct[d], within(1e-5f));
            }
            assertThat(stored(folder, faces.get(i), OLD)).as("another model's template").isNotEqualTo(template);
        }

        // a second run finds nothing to do
        int before = output.getErr().length();
        assertThat(job(folder, true, "reenrol", "--model", NEW)).isZero();
        assertThat(output.getErr().substring(before)).contains("reenrol: 0 faces without a template of " + NEW)
                .contains("reenrol: 0 templates of " + NEW + " written");

        // the old model removed from the deployment: the gallery opens with its templates and serves the new model
        try (var served = app(List.of("faceoff.models.include=" + NEW, "faceoff.models.default-embedding=" + NEW,
                "faceoff.gallery.enabled=true", "faceoff.gallery.path=" + folder, "faceoff.gallery.keep-faces=true",
                "faceoff.gallery.face-key=" + KEY)).run()) {
            assertThat(served.getBean(ModelRepository.class).embedding(OLD)).isEmpty();
            GalleryStore store = served.getBean(GalleryStore.class);
            for (String tenant : List.of("acme", "globex")) {
                long faces2 = enrolled.stream().filter(p -> p.tenant().equals(tenant)).count();
                assertThat(store.count(tenant, NEW)).isEqualTo(new GalleryStore.Counts(faces2 / 2, faces2));
                assertThat(store.count(tenant, OLD)).as("kept, apart").isEqualTo(new GalleryStore.Counts(faces2 / 2, faces2));
            }
            var modelsThere = served.getBean(ModelRepository.class);
            for (Photo probe : probes) {
                float[] query = served.getBean(EmbeddingModel.class)
                        .embed(modelsThere.embedding(NEW).orElseThrow(), List.of(probe.face().aligned())).get(0);
                List<GalleryStore.Match> found = store.search(probe.tenant(), NEW, query, 3);
                assertThat(found).as("a new photo of " + probe.subject()).isNotEmpty();
                assertThat(found.get(0).subjectId()).as("rank 1 for a new photo of " + probe.subject())
                        .isEqualTo(probe.subject());
            }
            assertThat(store.countFacesWithout(NEW)).isZero();
        }
    }

    @Test
    void withoutKeptFacesItSaysSoInOneLineAndAFaceWithoutItsCropIsLeft(@TempDir Path folder, CapturedOutput output)
            throws Exception {
        try (GalleryStore store = open(folder)) {
            enrol(store);
        }
        assertThat(job(folder, false, "reenrol", "--model", NEW)).isEqualTo(1);
        assertThat(output.getErr().lines().filter(l -> l.contains("reenrol"))).containsExactly(
                "reenrol: cannot: the gallery keeps no faces (faceoff.gallery.keep-faces is off or has no face-key): "
                        + "there is nothing to embed again; the subjects must be enrolled again from photos");

        int before = output.getErr().length();
        assertThat(job(folder, true, "reenrol", "--model", "no-such-model")).isEqualTo(1);
        assertThat(output.getErr().substring(before).lines().filter(l -> l.contains("reenrol"))).singleElement()
                .asString().startsWith("reenrol: 'no-such-model' is not a loaded embedding model; loaded: ").contains(NEW);

        // a face enrolled while faces were not kept: counted and left, and the job says what to do
        Photo photo = enrolled.get(0);
        try (GalleryStore store = EmbeddedGalleryStore.open(folder, Optional.empty())) {
            store.addFace(photo.tenant(), photo.subject(), 0.9,
                    Map.of(OLD, embedding.embed(oldModel, List.of(photo.face().aligned())).get(0)),
                    Optional.of(photo.face().aligned().bgr()));
        }
        before = output.getErr().length();
        assertThat(job(folder, true, "reenrol", "--model", NEW)).isEqualTo(1);
        assertThat(output.getErr().substring(before))
                .contains("reenrol: " + enrolled.size() + " templates of " + NEW + " written, 1 faces without a stored crop")
                .contains("reenrol: 1 faces have no stored crop (enrolled while faces were not kept): their subjects must "
                        + "be enrolled again from photos");
        try (GalleryStore store = open(folder)) {
            assertThat(store.countFacesWithout(NEW)).isEqualTo(1);
        }
    }
}
