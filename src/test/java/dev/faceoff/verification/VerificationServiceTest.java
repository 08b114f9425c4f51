package dev.faceoff.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.util.unit.DataSize;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectedFace;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.face.FaceQuality;
import dev.faceoff.face.PreparedFace;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.experiment.Assignment;
import dev.faceoff.experiment.ExperimentTracker;
import dev.faceoff.experiment.RequestKeys;
import dev.faceoff.experiment.Router;
import dev.faceoff.system.Admission;
import dev.faceoff.system.FaceoffMetrics;
import dev.faceoff.system.LimitsProperties;
import dev.faceoff.system.RequestScope;

/**
 * The service's own decisions with the pipeline, the model and the infrastructure replaced: what is recorded
 * and refused the same way by {@code verify} and {@code compare}. The real models: VerifyEndToEndTest.
 */
class VerificationServiceTest {

    static final byte[] GOOD = {1};
    static final byte[] POOR = {2};
    static final byte[] NO_FACE = {3};
    static final byte[] LATE = {4};
    static final byte[] SHUT = {5};
    static final double MIN_QUALITY = 0.5;

    final FacePipeline pipeline = mock(FacePipeline.class);
    final EmbeddingModel embedder = mock(EmbeddingModel.class);
    final Router router = mock(Router.class);
    final FaceoffMetrics metrics = mock(FaceoffMetrics.class);
    final Admission admission = mock(Admission.class);
    VerificationService service;

    @BeforeEach
    void setUp() {
        var manifest = new ModelManifest("m", 1, ModelManifest.Task.EMBEDDING, "arcface", null, null, null, null, null,
                null, null, null, null, null, Map.of("1e-3", new ModelManifest.Threshold(0.3, null, null, null, null)),
                null, null, null, null, null, null);
        var model = new LoadedModel(manifest, null, "cpu", null);
        given(router.assign(any(), any())).willReturn(new Assignment("none", "none", model, Assignment.How.DEFAULT));
        given(pipeline.prepare(eq(GOOD), any(), anyString(), any())).willReturn(face(0.9));
        given(pipeline.prepare(eq(POOR), any(), anyString(), any())).willReturn(face(0.1));
        given(pipeline.prepare(eq(NO_FACE), any(), anyString(), any())).willAnswer(call -> {
            throw new FaceoffException(ErrorCode.NO_FACE, call.getArgument(2) + ": no face");
        });
        given(pipeline.prepare(eq(LATE), any(), anyString(), any())).willAnswer(call -> {
            throw new FaceoffException(ErrorCode.DEADLINE_EXCEEDED, call.getArgument(2) + ": late");
        });
        given(pipeline.prepare(eq(SHUT), any(), anyString(), any())).willAnswer(call -> {
            throw new FaceoffException(ErrorCode.SHUTTING_DOWN, call.getArgument(2) + ": shutting down");
        });
        given(embedder.embed(any(), anyList())).willAnswer(call -> ((List<?>) call.getArgument(1)).stream()
                .map(crop -> new float[]{1, 0}).toList());
        var limits = new LimitsProperties(true, 1, 1, 0.5, DataSize.ofMegabytes(1),
                Duration.ofSeconds(5), 16, false);
        service = new VerificationService(new Routes(router, new DecisionProperties(0.001, 0), detection()),
                new ImagePreparation(pipeline, admission), embedder, admission, mock(ExperimentTracker.class),
                new VerificationMetrics(metrics, mock(ModelRepository.class)), limits);
    }

    static PreparedFace face(double quality) {
        var q = new FaceQuality(quality, 0.9, 40, 0, 0, 100, 120, 0, quality < 1 ? "pose" : "none");
        return new PreparedFace(new AlignedFace(new byte[3], 1), new DetectedFace(new Box(0, 0, 10, 10), 0.9, new double[10]),
                new double[10], 100, 100, 1, q);
    }

    static DetectionProperties detection() {
        return new DetectionProperties(null, 0.4, 20, FaceSelection.LARGEST, 0.25, DetectionProperties.PadWhen.NEEDED,
                160, 640, DetectionProperties.Points.LANDMARKS, true, true, true);
    }

    VerificationResult verifyPair(byte[] a, byte[] b) {
        return service.verify(new VerificationService.Request(a, b, null, null, null, MIN_QUALITY, RequestKeys.NONE),
                new RequestScope());
    }

    ComparisonResult compare(byte[] probe, byte[]... candidates) {
        return service.compare(new VerificationService.CompareRequest(probe, List.of(candidates), null, null, null,
                MIN_QUALITY, RequestKeys.NONE), new RequestScope());
    }

    /** The images of a table row by name. */
    static byte[] image(String name) {
        return switch (name) {
            case "GOOD" -> GOOD;
            case "POOR" -> POOR;
            case "NO_FACE" -> NO_FACE;
            case "LATE" -> LATE;
            case "SHUT" -> SHUT;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** A request's answer, or the error that failed it as {@code code@image} (the image its detail names first). */
    static String answered(Supplier<String> answer) {
        try {
            return answer.get();
        } catch (FaceoffException e) {
            return e.code().code() + "@" + e.getMessage().substring(0, e.getMessage().indexOf(':'));
        }
    }

    /** A table row answered the same one image after the other and with the second of two on a spare worker. */
    void answersBothWays(Supplier<String> answer, String expected) {
        assertThat(answered(answer)).as("one after the other").isEqualTo(expected);
        secondImageOnASpareWorker();
        assertThat(answered(answer)).as("the second of two images on a spare worker").isEqualTo(expected);
    }

    /** The second image of a pair prepared on a spare worker, as a helper thread would (its exception kept for get()). */
    void secondImageOnASpareWorker() {
        given(admission.onSpareWorker(any())).willAnswer(call -> {
            var task = new java.util.concurrent.FutureTask<>(call.<java.util.concurrent.Callable<?>>getArgument(0));
            task.run();
            return java.util.Optional.of(task);
        });
    }

    String verified(String image1, String image2) {
        return verifyPair(image(image1), image(image2)).match() ? "match" : "no_match";
    }

    @ParameterizedTest(name = "verify {0}, {1} -> {2}")
    @CsvSource({
            "GOOD,    GOOD,    match",
            "NO_FACE, GOOD,    no_face@image1",
            "GOOD,    NO_FACE, no_face@image2",
            "NO_FACE, NO_FACE, no_face@image1",
            "POOR,    GOOD,    low_quality@image1",
            "GOOD,    POOR,    low_quality@image2",
            "POOR,    POOR,    low_quality@image1",
            "POOR,    NO_FACE, no_face@image2",
            "NO_FACE, POOR,    no_face@image1",
            "NO_FACE, LATE,    no_face@image1",
            "LATE,    NO_FACE, deadline_exceeded@image1",
            "POOR,    LATE,    deadline_exceeded@image2",
            "GOOD,    SHUT,    shutting_down@image2",
    })
    void theErrorOrderOfVerify(String image1, String image2, String expected) {
        answersBothWays(() -> verified(image1, image2), expected);
    }

    /** Each candidate's answer in order, space-separated: its decision or its error code. */
    String compared(String probe, String candidates) {
        ComparisonResult result = compare(image(probe), java.util.Arrays.stream(candidates.split(" "))
                .map(VerificationServiceTest::image).toArray(byte[][]::new));
        return result.candidates().stream().map(c -> c.error() == null ? (c.match() ? "match" : "no_match")
                : c.error().code()).collect(java.util.stream.Collectors.joining(" "));
    }

    @ParameterizedTest(name = "compare {0} with {1} -> {2}")
    @CsvSource({
            "GOOD,    GOOD,              match",
            "GOOD,    NO_FACE POOR GOOD, no_face low_quality match",
            "GOOD,    POOR POOR,         low_quality low_quality",
            "GOOD,    NO_FACE,           no_face",
            "NO_FACE, GOOD,              no_face@probe",
            "POOR,    NO_FACE,           low_quality@probe",
            "POOR,    GOOD,              low_quality@probe",
            "NO_FACE, LATE,              no_face@probe",
            "POOR,    LATE,              deadline_exceeded@candidates[0]",
            "GOOD,    NO_FACE LATE,      deadline_exceeded@candidates[1]",
            "GOOD,    LATE NO_FACE,      deadline_exceeded@candidates[0]",
            "GOOD,    POOR SHUT,         shutting_down@candidates[1]",
    })
    void theErrorOrderOfCompare(String probe, String candidates, String expected) {
        answersBothWays(() -> compared(probe, candidates), expected);
    }

    /** How many faces the drift signal ({@code faceoff.face.quality}) saw since the last call. */
    long qualityRecorded() {
        long n = mockingDetails(metrics).getInvocations().stream()
                .filter(call -> call.getMethod().getName().equals("quality")).count();
        clearInvocations(metrics);
        return n;
    }

    @Test
    void theDriftSignalSeesEveryFaceOfferedTheSameWayForVerifyAndCompare() {
        clearInvocations(metrics);
        assertThatThrownBy(() -> verifyPair(GOOD, POOR)).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.LOW_QUALITY));
        long verified = qualityRecorded();

        ComparisonResult compared = compare(GOOD, POOR);
        assertThat(compared.candidates().get(0).error().code()).isEqualTo("low_quality");
        assertThat(qualityRecorded()).as("faces in the drift signal: compare, a candidate refused by the gate")
                .isEqualTo(verified).isEqualTo(2L);

        assertThatThrownBy(() -> compare(POOR, GOOD)).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.LOW_QUALITY));
        assertThat(qualityRecorded()).as("faces in the drift signal: compare, the probe refused by the gate")
                .isEqualTo(2L);
    }

    @Test
    void aFaceFoundBeforeAnotherImageFailsIsStillInTheDriftSignal() {
        assertThatThrownBy(() -> verifyPair(GOOD, NO_FACE)).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_FACE));
        assertThat(qualityRecorded()).as("faces in the drift signal: verify, the second image without a face")
                .isEqualTo(1L);
        assertThat(compare(GOOD, NO_FACE).candidates().get(0).error().code()).isEqualTo("no_face");
        assertThat(qualityRecorded()).as("faces in the drift signal: compare, the candidate without a face")
                .isEqualTo(1L);
    }

    @Test
    void aCandidateKeepsItsClientErrorButAServerErrorFailsTheRequest() {
        byte[] late = LATE;
        ComparisonResult compared = compare(GOOD, NO_FACE, GOOD);
        assertThat(compared.candidates()).extracting(c -> c.error() == null ? "ok" : c.error().code())
                .containsExactly("no_face", "ok");
        assertThat(compared.bestMatch()).isEqualTo(1);
        assertThatThrownBy(() -> compare(GOOD, GOOD, late)).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED));
        assertThatThrownBy(() -> compare(NO_FACE, GOOD)).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_FACE));
    }

    @Test
    void aSecondImageOnASpareWorkerGetsTheSameAnswers() {
        secondImageOnASpareWorker();
        theDriftSignalSeesEveryFaceOfferedTheSameWayForVerifyAndCompare();
        aPreparationErrorOutranksAQualityRefusalInVerify();
        assertThatThrownBy(() -> verifyPair(NO_FACE, NO_FACE)).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.getMessage()).as("the first image's error wins").isEqualTo("image1: no face"));
        verify(admission, times(5)).onSpareWorker(any());
    }

    @Test
    void aPreparationErrorOutranksAQualityRefusalInVerify() {
        clearInvocations(embedder);
        assertThatThrownBy(() -> verifyPair(POOR, NO_FACE)).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_FACE));
        verify(embedder, times(0)).embed(any(), anyList());
    }
}
