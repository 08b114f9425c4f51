package dev.faceoff.verification;

import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import dev.faceoff.routing.RequestKeys;
import dev.faceoff.system.ErrorCode;
import dev.faceoff.system.FaceoffException;
import dev.faceoff.system.FaceoffMetrics;

/** POST /v1/verify and POST /v1/embed, as multipart uploads or JSON with base64 images. */
@RestController
@Tag(name = "verification", description = "Do these two photos show the same person?")
@ApiResponse(responseCode = "400", description = "invalid_request: a field is missing or malformed",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "404", description = "unknown_model: the named model is not served",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "413", description = "image_too_large (bytes or pixels of one image) or payload_too_large (the request)",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "415", description = "unsupported_image: not JPEG, PNG, WebP or BMP",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "422", description = "no_face, multiple_faces (with select=single) or corrupt_image",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
class VerificationController {

    private final VerificationService service;
    private final FaceoffMetrics metrics;

    VerificationController(VerificationService service, FaceoffMetrics metrics) {
        this.service = service;
        this.metrics = metrics;
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
            @Parameter(description = "which face when several are found: largest (default), center, score, or single (reject)")
            @RequestParam(name = "select", required = false) String select,
            @Parameter(description = "sticky key for experiment assignment (sticky-key: field:subject), e.g. a subject id")
            @RequestParam(name = "subject", required = false) String subject,
            HttpServletRequest http) {
        var request = new VerificationService.Request(bytes(image1, "image1"), bytes(image2, "image2"), model, far,
                select, keys(http, subject == null ? Map.of() : Map.of("subject", subject)));
        return observe("verify", scope -> service.verify(request, scope));
    }

    /** JSON form of a verification request. */
    record VerifyJson(
            @Schema(description = "first photo, base64 (a data: URL prefix is accepted)") @NotBlank String image1,
            @Schema(description = "second photo, base64") @NotBlank String image2,
            @Schema(description = "embedding model name") String model,
            @Schema(description = "target false-accept rate") Double far,
            @Schema(description = "largest | center | score | single") String select,
            @Schema(description = "sticky key for experiment assignment, e.g. a subject id") String subject) {
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
                body.model(), body.far(), body.select(), keys(http, fields));
        return observe("verify", scope -> service.verify(request, scope));
    }

    @Operation(summary = "Embed the face in one photo (multipart upload)",
            description = "Returns the unit-length embedding of the chosen face. The embedding is computed for this "
                    + "response only and is never stored or logged.")
    @PostMapping(path = "/v1/embed", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    EmbeddingResult embedMultipart(@RequestPart("image") MultipartFile image,
                                   @RequestParam(name = "model", required = false) String model,
                                   @RequestParam(name = "select", required = false) String select) {
        byte[] bytes = bytes(image, "image");
        return observe("embed", scope -> service.embed(bytes, model, select, scope));
    }

    /** JSON form of an embedding request. */
    record EmbedJson(@Schema(description = "photo, base64") @NotBlank String image, String model, String select) {
    }

    @Operation(summary = "Embed the face in one photo (JSON, base64 image)")
    @PostMapping(path = "/v1/embed", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    EmbeddingResult embedJson(@Valid @RequestBody EmbedJson body) {
        byte[] bytes = base64(body.image(), "image");
        return observe("embed", scope -> service.embed(bytes, body.model(), body.select(), scope));
    }

    private <T> T observe(String endpoint, Function<RequestScope, T> call) {
        long start = System.nanoTime();
        var scope = new RequestScope();
        metrics.requestStarted();
        String outcome = ErrorCode.INTERNAL_ERROR.code();
        try {
            T result = call.apply(scope);
            outcome = "ok";
            return result;
        } catch (FaceoffException e) {
            outcome = e.code().code();
            throw e;
        } finally {
            metrics.requestFinished(endpoint, scope.variant(), outcome, System.nanoTime() - start);
        }
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
