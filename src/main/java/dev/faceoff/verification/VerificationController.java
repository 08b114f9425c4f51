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

import dev.faceoff.experiment.RequestKeys;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
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
        checkForm(http, VERIFY_FIELDS);
        var request = new VerificationService.Request(bytes(image1, "image1"), bytes(image2, "image2"), model, far,
                select, minQuality, keys(http, subject));
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
        /** Never the images (Spring logs request bodies at DEBUG). */
        @Override
        public String toString() {
            return "VerifyJson[image1=<" + chars(image1) + " chars>, image2=<" + chars(image2) + " chars>, model=" + model
                    + ", far=" + far + ", select=" + select + ", subject=" + (subject == null ? null : "<set>")
                    + ", minQuality=" + minQuality + "]";
        }
    }

    @Operation(summary = "Verify two photos (JSON, base64 images)")
    @PostMapping(path = "/v1/verify", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    VerificationResult verifyJson(@Valid @RequestBody VerifyJson body, HttpServletRequest http) {
        checkNoQuery(http);
        var request = new VerificationService.Request(base64(body.image1(), "image1"), base64(body.image2(), "image2"),
                body.model(), body.far(), body.select(), body.minQuality(), keys(http, body.subject()));
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
        checkForm(http, COMPARE_FIELDS);
        var images = new java.util.ArrayList<byte[]>();
        for (int i = 0; i < candidates.size(); i++) {
            images.add(bytes(candidates.get(i), "candidates[" + i + "]"));
        }
        var request = new VerificationService.CompareRequest(bytes(probe, "probe"), images, model, far, select,
                minQuality, keys(http, subject));
        return service.compare(request, RequestScope.of(http));
    }

    /** JSON form of a one-to-many request. */
    record CompareJson(
            @Schema(description = "the probe photo, base64") @NotBlank String probe,
            @Schema(description = "the candidate photos, base64, in order") java.util.List<String> candidates,
            String model, Double far, String select, String subject, Double minQuality) {
        /** Never the images (Spring logs request bodies at DEBUG). */
        @Override
        public String toString() {
            return "CompareJson[probe=<" + chars(probe) + " chars>, candidates=" + (candidates == null ? 0 : candidates.size())
                    + ", model=" + model + ", far=" + far + ", select=" + select + ", minQuality=" + minQuality + "]";
        }
    }

    @Operation(summary = "Compare one probe with several candidates (JSON, base64 images)")
    @PostMapping(path = "/v1/compare", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ComparisonResult compareJson(@Valid @RequestBody CompareJson body, HttpServletRequest http) {
        checkNoQuery(http);
        var list = body.candidates() == null ? java.util.List.<String>of() : body.candidates();
        var images = new java.util.ArrayList<byte[]>();
        for (int i = 0; i < list.size(); i++) {
            images.add(base64(list.get(i) == null ? "" : list.get(i), "candidates[" + i + "]"));
        }
        var request = new VerificationService.CompareRequest(base64(body.probe(), "probe"), images, body.model(),
                body.far(), body.select(), body.minQuality(), keys(http, body.subject()));
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
        checkForm(http, EMBED_FIELDS);
        return service.embed(bytes(image, "image"), model, select, minQuality, RequestScope.of(http));
    }

    /** JSON form of an embedding request. */
    record EmbedJson(@Schema(description = "photo, base64") @NotBlank String image, String model, String select,
                     @Schema(description = "refuse a face whose quality score is below this (422 low_quality)")
                     Double minQuality) {
        /** Never the image (Spring logs request bodies at DEBUG). */
        @Override
        public String toString() {
            return "EmbedJson[image=<" + chars(image) + " chars>, model=" + model + ", select="
                    + select + ", minQuality=" + minQuality + "]";
        }
    }

    @Operation(summary = "Embed the face in one photo (JSON, base64 image)")
    @PostMapping(path = "/v1/embed", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    EmbeddingResult embedJson(@Valid @RequestBody EmbedJson body, HttpServletRequest http) {
        checkNoQuery(http);
        return service.embed(base64(body.image(), "image"), body.model(), body.select(), body.minQuality(),
                RequestScope.of(http));
    }

    /** The fields (parts and parameters) of each multipart form; anything else is refused, never ignored. */
    static final java.util.Set<String> VERIFY_FIELDS = java.util.Set.of("image1", "image2", "model", "far", "select",
            "subject", "min_quality");
    static final java.util.Set<String> EMBED_FIELDS = java.util.Set.of("image", "model", "select", "min_quality");
    static final java.util.Set<String> COMPARE_FIELDS = java.util.Set.of("probe", "candidates", "model", "far", "select",
            "subject", "min_quality");
    /** Fields a form may repeat. */
    static final java.util.Set<String> REPEATABLE = java.util.Set.of("candidates");

    /** Refuses a multipart form with an unknown field or a field given twice (in the query and the form, or twice). */
    static void checkForm(HttpServletRequest http, java.util.Set<String> known) {
        var counts = new java.util.TreeMap<String, Integer>();
        try {
            for (var part : http.getParts()) {
                counts.merge(part.getName(), 1, Integer::sum);
            }
        } catch (IOException | jakarta.servlet.ServletException e) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "the multipart body cannot be read");
        }
        // query parameters (form fields are parameters too: counted once, as parts)
        String query = http.getQueryString();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (!pair.isEmpty()) {
                    String name = java.net.URLDecoder.decode(pair.split("=", 2)[0], java.nio.charset.StandardCharsets.UTF_8);
                    counts.merge(name, 1, Integer::sum);
                }
            }
        }
        counts.forEach((name, n) -> {
            if (!known.contains(name)) {
                throw new FaceoffException(ErrorCode.INVALID_REQUEST, "unknown field '" + name + "'; the fields are "
                        + new java.util.TreeSet<>(known));
            }
            if (n > 1 && !REPEATABLE.contains(name)) {
                throw new FaceoffException(ErrorCode.INVALID_REQUEST, "field '" + name + "' given " + n
                        + " times (in the query and the form, or twice)");
            }
        });
    }

    /** A JSON request takes its options in the body: a query parameter would otherwise be ignored. */
    static void checkNoQuery(HttpServletRequest http) {
        if (http.getQueryString() != null && !http.getQueryString().isEmpty()) {
            String first = http.getQueryString().split("&")[0].split("=", 2)[0];
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "a JSON request takes its options in the body; "
                    + "move query parameter '" + first + "' into it");
        }
    }

    /**
     * What an experiment may key on, read once per request whatever its form: the X- headers and the fields (the
     * subject, when given: {@code sticky-key: field:subject}).
     */
    private static RequestKeys keys(HttpServletRequest http, String subject) {
        Map<String, String> fields = subject == null ? Map.of() : Map.of("subject", subject);
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

    private static int chars(String s) {
        return s == null ? 0 : s.length();
    }

    private static String withoutWhitespace(String s) {
        var out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    static byte[] base64(String value, String field) {
        String data = value.strip();
        if (data.startsWith("data:")) {
            int comma = data.indexOf(',');
            data = comma < 0 ? "" : data.substring(comma + 1);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException unbroken) {
            // line breaks or spaces (MIME-style): removed, then decoded again. Tried second, because a
            // regular expression over a phone photo's 5 MB of base64 costs more than decoding it (13 ms)
            try {
                bytes = Base64.getDecoder().decode(withoutWhitespace(data));
            } catch (IllegalArgumentException e) {
                throw new FaceoffException(ErrorCode.INVALID_REQUEST, field + " is not valid base64");
            }
        }
        if (bytes.length == 0) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, field + " is empty");
        }
        return bytes;
    }
}
