package dev.faceoff.verification;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.decision.*}
 *
 * @param far the false-accept rate whose calibrated threshold decides when a request names none; every
 *            served embedding model must hold a threshold for it in its model.json
 * @param minQuality the lowest face quality score (0–1, {@code FaceQuality}) a request is decided on when it
 *                   names none; a face below it is answered 422 {@code low_quality}. 0: no gate
 */
@Validated
@ConfigurationProperties("faceoff.decision")
public record DecisionProperties(@DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0")
                                 @DefaultValue("0.001") double far,
                                 @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0") double minQuality) {
}
