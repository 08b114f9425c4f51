package dev.faceoff.routing;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.dao.DataAccessException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.faceoff.model.ModelRepository;
import dev.faceoff.system.ErrorCode;
import dev.faceoff.system.FaceoffException;
import dev.faceoff.system.FaceoffMetrics;

/** POST /v1/feedback: the truth about a verification, turned into per-variant confusion counts. */
@RestController
@Tag(name = "experiments", description = "A/B tests between embedding models: feedback, reports, weights")
@ApiResponse(responseCode = "404", description = "unknown_verification: no such verification, or it expired",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
@ApiResponse(responseCode = "503", description = "store_unavailable: the feedback store (Redis) cannot be reached",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
class FeedbackController {

    private final FeedbackStore store;
    private final ModelRepository models;
    private final FaceoffMetrics metrics;

    FeedbackController(FeedbackStore store, ModelRepository models, FaceoffMetrics metrics) {
        this.store = store;
        this.models = models;
        this.metrics = metrics;
    }

    /** The truth about one verification. */
    record FeedbackJson(
            @Schema(description = "verification_id of a POST /v1/verify answer") @JsonProperty("verification_id")
            @NotBlank String verificationId,
            @Schema(description = "true: the two photos show the same person") @NotNull Boolean same) {
    }

    /**
     * @param counted false when this verification already had feedback: the first one stands (idempotent)
     */
    record FeedbackResult(@JsonProperty("verification_id") String verificationId, String experiment, String variant,
                          String model, boolean match, boolean same, String outcome, boolean counted) {
    }

    @Operation(summary = "Send the truth about a verification",
            description = "Counts the decision as a true/false accept/reject for its experiment's variant. Idempotent: "
                    + "feedback for a verification that already has some is answered 200 with counted=false and the "
                    + "first outcome.")
    @PostMapping(path = "/v1/feedback", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    FeedbackResult feedback(@Valid @RequestBody FeedbackJson body) {
        long start = System.nanoTime();
        metrics.requestStarted();
        FaceoffMetrics.Variant variant = FaceoffMetrics.Variant.NONE;
        String outcome = ErrorCode.INTERNAL_ERROR.code();
        try {
            FeedbackStore.Labelling labelling;
            try {
                labelling = store.label(body.verificationId().strip(), body.same());
            } catch (DataAccessException e) {
                throw new FaceoffException(ErrorCode.STORE_UNAVAILABLE, "the feedback store cannot be reached; retry later");
            }
            FeedbackResult result;
            if (labelling instanceof FeedbackStore.Counted c) {
                variant = variant(c.verification());
                metrics.feedback(variant, c.outcome().label());
                result = result(c.verification(), c.outcome(), true);
            } else if (labelling instanceof FeedbackStore.AlreadyLabelled a) {
                variant = variant(a.verification());
                result = result(a.verification(), a.outcome(), false);
            } else {
                throw new FaceoffException(ErrorCode.UNKNOWN_VERIFICATION, "no verification '" + body.verificationId()
                        + "' waiting for feedback (unknown, or older than faceoff.feedback.ttl)");
            }
            outcome = "ok";
            return result;
        } catch (FaceoffException e) {
            outcome = e.code().code();
            throw e;
        } finally {
            metrics.requestFinished("feedback", variant, outcome, System.nanoTime() - start);
        }
    }

    private FaceoffMetrics.Variant variant(FeedbackStore.Verification v) {
        String loss = models.embedding(v.model()).map(m -> m.manifest().loss()).orElse("unknown");
        return new FaceoffMetrics.Variant(v.model(), loss, v.experiment(), v.variant());
    }

    private static FeedbackResult result(FeedbackStore.Verification v, Outcome outcome, boolean counted) {
        boolean same = outcome == Outcome.TRUE_ACCEPT || outcome == Outcome.FALSE_REJECT;
        return new FeedbackResult(v.id(), v.experiment(), v.variant(), v.model(), v.match(), same, outcome.label(), counted);
    }
}
