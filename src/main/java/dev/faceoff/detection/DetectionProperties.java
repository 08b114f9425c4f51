package dev.faceoff.detection;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.detection.*}
 *
 * @param scoreThreshold lowest detector confidence kept
 * @param nmsIou overlap above which a weaker box is suppressed
 * @param minFaceSize smallest box side kept, in image pixels
 * @param select which face a request is about when it does not say
 */
@Validated
@ConfigurationProperties("faceoff.detection")
public record DetectionProperties(
        @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.7") double scoreThreshold,
        @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.4") double nmsIou,
        @Min(1) @DefaultValue("20") int minFaceSize,
        @NotNull @DefaultValue("largest") FaceSelection select) {
}
