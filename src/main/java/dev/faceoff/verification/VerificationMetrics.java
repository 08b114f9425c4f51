package dev.faceoff.verification;

import org.springframework.stereotype.Component;

import dev.faceoff.common.StageTimings.Stage;
import dev.faceoff.face.FaceQuality;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.system.FaceoffMetrics;

/** A finished request's metrics ({@link FaceoffMetrics}), recorded in one place from what it came to. */
@Component
final class VerificationMetrics {

    private final FaceoffMetrics metrics;
    private final ModelRepository models;

    VerificationMetrics(FaceoffMetrics metrics, ModelRepository models) {
        this.metrics = metrics;
        this.models = models;
    }

    /**
     * The quality of every face found, those the gate refused and those of a failed request too (the drift
     * signal, the same for every endpoint); once its images were embedded, the stages' time; each decision's
     * similarity and match.
     */
    void recorded(Finished finished) {
        Route route = finished.route();
        for (Outcome outcome : finished.outcomes()) {
            outcome.faceFound().ifPresent(face -> {
                FaceQuality q = face.quality();
                metrics.quality(route.model().name(), q.score(), q.yawDeg(), q.interEyePx());
            });
        }
        if (finished.error().isEmpty()) {
            finished.timings().nanos().forEach((stage, nanos) -> metrics.stage(stage, modelOf(stage, route.model()), nanos));
        }
        for (Finished.Decision d : finished.decisions()) {
            metrics.similarity(route.variant(), "primary", d.similarity());
            metrics.decision(route.variant(), d.match());
        }
    }

    /** The model a stage ran, as its metric tag. */
    private String modelOf(Stage stage, LoadedModel embedding) {
        return switch (stage) {
            case DETECT -> models.detector().name();
            case LANDMARKS -> models.landmarks().map(LoadedModel::name).orElse("none");
            case EMBED -> embedding.name();
            case DECODE, ALIGN -> "none";
        };
    }
}
