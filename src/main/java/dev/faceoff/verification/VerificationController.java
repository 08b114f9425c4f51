package dev.faceoff.verification;

import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

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

import dev.faceoff.routing.RequestKeys;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.system.RequestScope;
import dev.faceoff.common.Problems;

/** POST /v1/verify and POST /v1/embed, as multipart uploads or JSON with base64 images. */
@RestController
@Tag(name = "verification", description = "Do these two photos show the same person?")
@Problems({ErrorCode.INVALID_REQUEST, ErrorCode.UNKNOWN_MODEL, ErrorCode.IMAGE_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.UNSUPPORTED_IMAGE, ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.NO_FACE, ErrorCode.MULTIPLE_FACES,
        ErrorCode.CORRUPT_IMAGE, ErrorCode.LOW_QUALITY, ErrorCode.SHUTTING_DOWN})
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
        var request = new VerificationService.Request(bytes(image1, "image1"), bytes(image2, "image2"), model, far,
                select, minQuality, keys(http, subject == null ? Map.of() : Map.of("subject", subject)));
        return service.verify(request, RequestScope.of(http));
    }

    /** JSON form of a verification request. */
    record VerifyJson(
            @Schema(description = "first photo, base64 (a data: URL prefix is accepted)") @NotBlank String image1,
            @Schema(description = "second photo, base64") @NotBlank String image2,
            @Schema(description = "embedding model name") String model,
            @Schema(description = "target false-accept rate") Double far,
            @Schema(description = "largest | center | score | single") String select,
            @Schema(description = "sticky key for experiment assignment, e.g. a subject id") String subject,
            @Schema(description = "refuse a face whose quality score is below this (422 low_quality)") Double minQuality) {
    }

    @Operation(summary = "Verify two photos (JSON, base64 images)")
    @PostMapping(path = "/v1/verify", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    VerificationResult verifyJson(@Valid @RequestBody VerifyJson body, HttpServletRequest http) {
        var fields = new LinkedHashMap<String, String>();
        if (body.subject() != null) {
            fields.put("subject", body.subject());
        }
        var request = new VerificationService.Request(base64(body.image1(), "image1"), base64(body.image2(), "image2"),
                body.model(), body.far(), body.select(), body.minQuality(), keys(http, fields));
        return service.verify(request, RequestScope.of(http));
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
        return service.embed(bytes(image, "image"), model, select, minQuality, RequestScope.of(http));
    }

    /** JSON form of an embedding request. */
    record EmbedJson(@Schema(description = "photo, base64") @NotBlank String image, String model, String select,
                     @Schema(description = "refuse a face whose quality score is below this (422 low_quality)")
                     Double minQuality) {
    }

    @Operation(summary = "Embed the face in one photo (JSON, base64 image)")
    @PostMapping(path = "/v1/embed", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    EmbeddingResult embedJson(@Valid @RequestBody EmbedJson body, HttpServletRequest http) {
        return service.embed(base64(body.image(), "image"), body.model(), body.select(), body.minQuality(),
                RequestScope.of(http));
    }

    private static RequestKeys keys(HttpServletRequest http, Map<String, String> fields) {
        var headers = new LinkedHashMap<String, String>();
        var names = http.getHeaderNames();
        while (names != null && names.hasMoreElements()) {
            String name = names.nextElement();
            if (name.toLowerCase(java.util.Locale.ROOT).startsWith("x-")) {
                headers.put(name.toLowerCase(java.util.Locale.ROOT), http.getHeader(name));
            }
        }
        return new RequestKeys(headers, fields);
    }

    private static byte[] bytes(MultipartFile file, String field) {
        try {
            return file.getBytes();
        } catch (IOException e) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "could not read part '" + field + "'");
        }
    }

    static byte[] base64(String value, String field) {
        String data = value.strip();
        if (data.startsWith("data:")) {
            int comma = data.indexOf(',');
            data = comma < 0 ? "" : data.substring(comma + 1);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, field + " is not valid base64");
        }
        if (bytes.length == 0) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, field + " is empty");
        }
        return bytes;
    }
}
