package dev.faceoff.subjects;

import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.Problems;
import dev.faceoff.system.RequestScope;
import dev.faceoff.verification.Base64Image;
import dev.faceoff.verification.RequestForms;
import dev.faceoff.verification.VerificationService;

/**
 * The gallery's endpoints that take a photo, for the caller's tenant ({@link SubjectsController#tenant}): a face
 * enrolled, a photo verified against a subject, a photo identified. Images as multipart uploads or JSON with base64,
 * like {@code /v1/verify}, and the same image errors.
 */
@RestController
@ConditionalOnBooleanProperty(name = "faceoff.gallery.enabled", matchIfMissing = true)
@Tag(name = "subjects")
@Problems({ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_SUBJECT_ID, ErrorCode.STORE_UNAVAILABLE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.UNKNOWN_MODEL, ErrorCode.IMAGE_TOO_LARGE,
        ErrorCode.UNSUPPORTED_IMAGE, ErrorCode.NO_FACE, ErrorCode.MULTIPLE_FACES, ErrorCode.CORRUPT_IMAGE,
        ErrorCode.LOW_QUALITY, ErrorCode.SHUTTING_DOWN, ErrorCode.OVERLOADED, ErrorCode.DEADLINE_EXCEEDED})
class PhotosController {

    static final Set<String> ENROL_FIELDS = Set.of("image", "select", "min_quality");
    static final Set<String> VERIFY_FIELDS = Set.of("image", "model", "far", "select", "min_quality");
    static final Set<String> IDENTIFY_FIELDS = Set.of("image", "top_k", "fpir", "model", "select", "min_quality");

    private final SubjectsService service;

    PhotosController(SubjectsService service) {
        this.service = service;
    }

    @Operation(summary = "Enrol one photo of a subject (multipart upload)",
            description = "The face is found, aligned and gated like /v1/verify's, at min_quality (default "
                    + "faceoff.gallery.enrol-min-quality), and embedded once with every gallery model; all its templates "
                    + "are written in one transaction. possible_duplicate_of names another subject this face already identifies.")
    @Problems({ErrorCode.UNKNOWN_SUBJECT})
    @PostMapping(path = "/v1/subjects/{subject_id}/faces", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    EnrolmentResult enrolMultipart(@PathVariable("subject_id") String subjectId,
                                   @Parameter(description = "the photo (JPEG, PNG, WebP or BMP)") @RequestPart("image") MultipartFile image,
                                   @RequestParam(name = "select", required = false) String select,
                                   @Parameter(description = "refuse a face whose quality score is below this (default faceoff.gallery.enrol-min-quality)")
                                   @RequestParam(name = "min_quality", required = false) Double minQuality,
                                   HttpServletRequest http) {
        RequestForms.checkForm(http, ENROL_FIELDS);
        return service.enrol(tenant(), subjectId, RequestForms.bytes(image, "image"), select, minQuality,
                RequestScope.of(http));
    }

    /** JSON form of an enrolment. */
    record EnrolJson(@Schema(description = "the photo, base64") @NotNull Base64Image image, String select, Double minQuality) {
        /** Never the image. */
        @Override
        public String toString() {
            return "EnrolJson[image=" + image + ", select=" + select + ", minQuality=" + minQuality + "]";
        }
    }

    @Operation(summary = "Enrol one photo of a subject (JSON, base64 image)")
    @PostMapping(path = "/v1/subjects/{subject_id}/faces", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    EnrolmentResult enrolJson(@PathVariable("subject_id") String subjectId, @Valid @RequestBody EnrolJson body,
                              HttpServletRequest http) {
        RequestForms.checkNoQuery(http);
        return service.enrol(tenant(), subjectId, RequestForms.base64(body.image(), "image"), body.select(),
                body.minQuality(), RequestScope.of(http));
    }

    @Operation(summary = "Verify a photo against a subject (multipart upload)",
            description = "Routed like /v1/verify (the subject id is the sticky key `field:subject`); the similarity is the "
                    + "best over the subject's faces enrolled with the routed model, decided at its threshold at `far`. "
                    + "409 not_enrolled_for_model when the subject has no face of that model.")
    @Problems({ErrorCode.UNKNOWN_SUBJECT, ErrorCode.NOT_ENROLLED_FOR_MODEL})
    @PostMapping(path = "/v1/subjects/{subject_id}/verify", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    SubjectVerificationResult verifyMultipart(@PathVariable("subject_id") String subjectId,
                                              @RequestPart("image") MultipartFile image,
                                              @RequestParam(name = "model", required = false) String model,
                                              @RequestParam(name = "far", required = false) Double far,
                                              @RequestParam(name = "select", required = false) String select,
                                              @RequestParam(name = "min_quality", required = false) Double minQuality,
                                              HttpServletRequest http) {
        RequestForms.checkForm(http, VERIFY_FIELDS);
        SubjectsService.checked(subjectId);
        var probe = new VerificationService.ProbeRequest(RequestForms.bytes(image, "image"), model, far, select, minQuality,
                RequestForms.keys(http, subjectId));
        return service.verify(tenant(), subjectId, probe, RequestScope.of(http));
    }

    /** JSON form of a verification against a subject, and of an identification ({@code top_k}, {@code fpir}). */
    record ProbeJson(@Schema(description = "the photo, base64") @NotNull Base64Image image, String model, Double far,
                     String select, Double minQuality,
                     @Schema(description = "identify: candidates (1-50, default 5)") Integer topK,
                     @Schema(description = "identify: target false-positive identification rate") Double fpir) {
        /** Never the image. */
        @Override
        public String toString() {
            return "ProbeJson[image=" + image + ", model=" + model + ", far=" + far + ", select="
                    + select + ", minQuality=" + minQuality + ", topK=" + topK + ", fpir=" + fpir + "]";
        }
    }

    @Operation(summary = "Verify a photo against a subject (JSON, base64 image)")
    @PostMapping(path = "/v1/subjects/{subject_id}/verify", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    SubjectVerificationResult verifyJson(@PathVariable("subject_id") String subjectId, @Valid @RequestBody ProbeJson body,
                                         HttpServletRequest http) {
        RequestForms.checkNoQuery(http);
        SubjectsService.checked(subjectId);
        if (body.topK() != null || body.fpir() != null) {
            throw new dev.faceoff.common.FaceoffException(ErrorCode.INVALID_REQUEST, "top_k and fpir are identify's");
        }
        var probe = new VerificationService.ProbeRequest(RequestForms.base64(body.image(), "image"), body.model(),
                body.far(), body.select(), body.minQuality(), RequestForms.keys(http, subjectId));
        return service.verify(tenant(), subjectId, probe, RequestScope.of(http));
    }

    @Operation(summary = "Identify a photo among the tenant's subjects (multipart upload)",
            description = "The top_k subjects by their best face's similarity, and the open-set decision: match (with "
                    + "subject_id) only when the best reaches the identification threshold for `fpir` at the gallery's "
                    + "size. An unknown person is match false; an empty gallery, no candidates.")
    @Problems({ErrorCode.NOT_ENROLLED_FOR_MODEL, ErrorCode.MODEL_NOT_CALIBRATED})
    @PostMapping(path = "/v1/identify", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    IdentificationResult identifyMultipart(@RequestPart("image") MultipartFile image,
                                           @RequestParam(name = "top_k", required = false) Integer topK,
                                           @RequestParam(name = "fpir", required = false) Double fpir,
                                           @RequestParam(name = "model", required = false) String model,
                                           @RequestParam(name = "select", required = false) String select,
                                           @RequestParam(name = "min_quality", required = false) Double minQuality,
                                           HttpServletRequest http) {
        RequestForms.checkForm(http, IDENTIFY_FIELDS);
        var probe = new VerificationService.ProbeRequest(RequestForms.bytes(image, "image"), model, null, select,
                minQuality, RequestForms.keys(http, null));
        return service.identify(tenant(), topK, fpir, probe, RequestScope.of(http));
    }

    @Operation(summary = "Identify a photo among the tenant's subjects (JSON, base64 image)")
    @PostMapping(path = "/v1/identify", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    IdentificationResult identifyJson(@Valid @RequestBody ProbeJson body, HttpServletRequest http) {
        RequestForms.checkNoQuery(http);
        if (body.far() != null) {
            throw new dev.faceoff.common.FaceoffException(ErrorCode.INVALID_REQUEST, "identify takes fpir, not far");
        }
        var probe = new VerificationService.ProbeRequest(RequestForms.base64(body.image(), "image"), body.model(), null,
                body.select(), body.minQuality(), RequestForms.keys(http, null));
        return service.identify(tenant(), body.topK(), body.fpir(), probe, RequestScope.of(http));
    }

    private static String tenant() {
        return SubjectsController.tenant();
    }
}
