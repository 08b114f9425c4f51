package dev.faceoff.verification;


import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.system.RequestScope;
import dev.faceoff.common.Problems;

/** POST /v1/verify, /v1/compare and /v1/embed, as multipart uploads or JSON with base64 images. */
@RestController
@Tag(name = "verification", description = "Do these two photos show the same person?")
@Problems({ErrorCode.INVALID_REQUEST, ErrorCode.UNKNOWN_MODEL, ErrorCode.IMAGE_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.UNSUPPORTED_IMAGE, ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.NO_FACE, ErrorCode.MULTIPLE_FACES,
        ErrorCode.CORRUPT_IMAGE, ErrorCode.LOW_QUALITY, ErrorCode.SHUTTING_DOWN, ErrorCode.OVERLOADED,
        ErrorCode.DEADLINE_EXCEEDED})
class VerificationController {

    private final VerificationService service;

    VerificationController(VerificationService service) {
        this.service = service;
    }

    @Operation(summary = "Verify two photos (multipart upload)",
            description = "Detects, aligns and embeds the face in each image and compares them by cosine similarity "
                    + "against the model's threshold calibrated at the false-accept rate `far`.")
    @PostMapping(path = "/v1/verify", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    VerificationResult verifyMultipart(
            @Parameter(description = "first photo (JPEG, PNG, WebP or BMP)") @RequestPart("image1") MultipartFile image1,
            @Parameter(description = "second photo") @RequestPart("image2") MultipartFile image2,
            @Parameter(description = "embedding model name (overrides experiment routing); see GET /v1/models")
            @RequestParam(name = "model", required = false) String model,
            @Parameter(description = "target false-accept rate; one the model is calibrated at (default faceoff.decision.far)")
            @RequestParam(name = "far", required = false) Double far,
            @Parameter(description = "which face when several are found: largest (default), prominent (of the faces at least half as large as the largest, the most central), center, score, or single (reject)")
            @RequestParam(name = "select", required = false) String select,
            @Parameter(description = "sticky key for experiment assignment (sticky-key: field:subject), e.g. a subject id")
            @RequestParam(name = "subject", required = false) String subject,
            @Parameter(description = "refuse a face whose quality score (0-1) is below this with 422 low_quality "
                    + "(default faceoff.decision.min-quality; 0 is off)")
            @RequestParam(name = "min_quality", required = false) Double minQuality,
            HttpServletRequest http) {
        RequestForms.checkForm(http, VERIFY_FIELDS);
        var request = new VerificationService.Request(RequestForms.bytes(image1, "image1"), RequestForms.bytes(image2, "image2"), model, far,
                select, minQuality, RequestForms.keys(http, subject));
        return service.verify(request, RequestScope.of(http));
    }

    /** JSON form of a verification request. */
    record VerifyJson(
            @Schema(description = "first photo, base64 (a data: URL prefix is accepted)") @NotNull Base64Image image1,
            @Schema(description = "second photo, base64") @NotNull Base64Image image2,
            @Schema(description = "embedding model name") String model,
            @Schema(description = "target false-accept rate") Double far,
            @Schema(description = "largest | center | score | single") String select,
            @Schema(description = "sticky key for experiment assignment, e.g. a subject id") String subject,
            @Schema(description = "refuse a face whose quality score is below this (422 low_quality)") Double minQuality) {
        /** Never the images (Spring logs request bodies at DEBUG). */
        @Override
        public String toString() {
            return "VerifyJson[image1=" + image1 + ", image2=" + image2 + ", model=" + model
                    + ", far=" + far + ", select=" + select + ", subject=" + (subject == null ? null : "<set>")
                    + ", minQuality=" + minQuality + "]";
        }
    }

    @Operation(summary = "Verify two photos (JSON, base64 images)")
    @PostMapping(path = "/v1/verify", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    VerificationResult verifyJson(@Valid @RequestBody VerifyJson body, HttpServletRequest http) {
        RequestForms.checkNoQuery(http);
        var request = new VerificationService.Request(RequestForms.base64(body.image1(), "image1"), RequestForms.base64(body.image2(), "image2"),
                body.model(), body.far(), body.select(), body.minQuality(), RequestForms.keys(http, body.subject()));
        return service.verify(request, RequestScope.of(http));
    }

    @Operation(summary = "Compare one probe with several candidates (multipart upload)",
            description = "The probe's face is found and embedded once, the candidates' in one batched run; each "
                    + "candidate is decided like a verification (same routing and threshold, its own verification_id "
                    + "for feedback), or carries its own error without failing the others. best_match is the index "
                    + "of the most similar matching candidate. At most faceoff.limits.max-candidates (16) candidates.")
    @Problems({ErrorCode.TOO_MANY_CANDIDATES})
    @PostMapping(path = "/v1/compare", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ComparisonResult compareMultipart(
            @Parameter(description = "the probe photo") @RequestPart("probe") MultipartFile probe,
            @Parameter(description = "the candidate photos, one part each, in order") @RequestPart("candidates")
            java.util.List<MultipartFile> candidates,
            @RequestParam(name = "model", required = false) String model,
            @RequestParam(name = "far", required = false) Double far,
            @RequestParam(name = "select", required = false) String select,
            @RequestParam(name = "subject", required = false) String subject,
            @RequestParam(name = "min_quality", required = false) Double minQuality,
            HttpServletRequest http) {
        RequestForms.checkForm(http, COMPARE_FIELDS);
        var images = new java.util.ArrayList<byte[]>();
        for (int i = 0; i < candidates.size(); i++) {
            images.add(RequestForms.bytes(candidates.get(i), "candidates[" + i + "]"));
        }
        var request = new VerificationService.CompareRequest(RequestForms.bytes(probe, "probe"), images, model, far, select,
                minQuality, RequestForms.keys(http, subject));
        return service.compare(request, RequestScope.of(http));
    }

    /** JSON form of a one-to-many request. */
    record CompareJson(
            @Schema(description = "the probe photo, base64") @NotNull Base64Image probe,
            @Schema(description = "the candidate photos, base64, in order") java.util.List<Base64Image> candidates,
            String model, Double far, String select, String subject, Double minQuality) {
        /** Never the images (Spring logs request bodies at DEBUG). */
        @Override
        public String toString() {
            return "CompareJson[probe=" + probe + ", candidates=" + (candidates == null ? 0 : candidates.size())
                    + ", model=" + model + ", far=" + far + ", select=" + select + ", minQuality=" + minQuality + "]";
        }
    }

    @Operation(summary = "Compare one probe with several candidates (JSON, base64 images)")
    @PostMapping(path = "/v1/compare", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ComparisonResult compareJson(@Valid @RequestBody CompareJson body, HttpServletRequest http) {
        RequestForms.checkNoQuery(http);
        var list = body.candidates() == null ? java.util.List.<Base64Image>of() : body.candidates();
        var images = new java.util.ArrayList<byte[]>();
        for (int i = 0; i < list.size(); i++) {
            images.add(RequestForms.base64(list.get(i), "candidates[" + i + "]"));
        }
        var request = new VerificationService.CompareRequest(RequestForms.base64(body.probe(), "probe"), images, body.model(),
                body.far(), body.select(), body.minQuality(), RequestForms.keys(http, body.subject()));
        return service.compare(request, RequestScope.of(http));
    }

    @Operation(summary = "Embed the face in one photo (multipart upload)",
            description = "Returns the unit-length embedding of the chosen face. The embedding is computed for this "
                    + "response only and is never stored or logged.")
    @PostMapping(path = "/v1/embed", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    EmbeddingResult embedMultipart(@RequestPart("image") MultipartFile image,
                                   @RequestParam(name = "model", required = false) String model,
                                   @RequestParam(name = "select", required = false) String select,
                                   @RequestParam(name = "min_quality", required = false) Double minQuality,
                                   HttpServletRequest http) {
        RequestForms.checkForm(http, EMBED_FIELDS);
        return service.embed(RequestForms.bytes(image, "image"), model, select, minQuality, RequestScope.of(http));
    }

    /** JSON form of an embedding request. */
    record EmbedJson(@Schema(description = "photo, base64") @NotNull Base64Image image, String model, String select,
                     @Schema(description = "refuse a face whose quality score is below this (422 low_quality)")
                     Double minQuality) {
        /** Never the image (Spring logs request bodies at DEBUG). */
        @Override
        public String toString() {
            return "EmbedJson[image=" + image + ", model=" + model + ", select="
                    + select + ", minQuality=" + minQuality + "]";
        }
    }

    @Operation(summary = "Embed the face in one photo (JSON, base64 image)")
    @PostMapping(path = "/v1/embed", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    EmbeddingResult embedJson(@Valid @RequestBody EmbedJson body, HttpServletRequest http) {
        RequestForms.checkNoQuery(http);
        return service.embed(RequestForms.base64(body.image(), "image"), body.model(), body.select(), body.minQuality(),
                RequestScope.of(http));
    }

    /** The fields (parts and parameters) of each multipart form; anything else is refused, never ignored. */
    static final java.util.Set<String> VERIFY_FIELDS = java.util.Set.of("image1", "image2", "model", "far", "select",
            "subject", "min_quality");
    static final java.util.Set<String> EMBED_FIELDS = java.util.Set.of("image", "model", "select", "min_quality");
    static final java.util.Set<String> COMPARE_FIELDS = java.util.Set.of("probe", "candidates", "model", "far", "select",
            "subject", "min_quality");
}
