package dev.faceoff.feedback;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.faceoff.model.ModelRepository;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.system.FaceoffMetrics;
import dev.faceoff.system.RequestScope;
import dev.faceoff.common.Problems;

/** POST /v1/feedback: the truth about a verification, turned into per-variant confusion counts. */
@RestController
@Tag(name = "experiments", description = "A/B tests between embedding models: feedback, reports, weights")
@Problems({ErrorCode.INVALID_REQUEST, ErrorCode.UNKNOWN_VERIFICATION, ErrorCode.STORE_UNAVAILABLE})
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
            @Schema(description = "verification_id of a POST /v1/verify answer") @NotBlank String verificationId,
            @Schema(description = "true: the two photos show the same person") @NotNull Boolean same) {
    }

    /**
     * @param counted false when this verification already had feedback: the first one stands (idempotent)
     */
    record FeedbackResult(String verificationId, String experiment, String variant,
                          String model, boolean match, boolean same, String outcome, boolean counted) {
    }

    @Operation(summary = "Send the truth about a verification",
            description = "Counts the decision as a true/false accept/reject for its experiment's variant. Idempotent: "
                    + "feedback for a verification that already has some is answered 200 with counted=false and the "
                    + "first outcome.")
    @PostMapping(path = "/v1/feedback", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    FeedbackResult feedback(@Valid @RequestBody FeedbackJson body, HttpServletRequest http) {
        FeedbackStore.Labelling labelling = store.label(body.verificationId().strip(), body.same());
        if (labelling instanceof FeedbackStore.Counted c) {
            FaceoffMetrics.Variant variant = variant(c.verification());
            RequestScope.of(http).assigned(variant);
            metrics.feedback(variant, c.outcome().label());
            return result(c.verification(), c.outcome(), true);
        }
        if (labelling instanceof FeedbackStore.AlreadyLabelled a) {
            RequestScope.of(http).assigned(variant(a.verification()));
            return result(a.verification(), a.outcome(), false);
        }
        throw new FaceoffException(ErrorCode.UNKNOWN_VERIFICATION, "no verification '" + body.verificationId()
                + "' waiting for feedback (unknown, or older than faceoff.feedback.ttl)");
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
