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
 * @param scoreThreshold lowest detector confidence kept; unset: the detection model's own
 *                       ({@code scoreThreshold} in its model.json)
 * @param nmsIou overlap above which a weaker box is suppressed
 * @param minFaceSize smallest box side kept, in image pixels
 * @param select which face a request is about when it does not say
 * @param pad border added around every image before detection, as a fraction of its longer side
 *            (replicated edge pixels): context for tight crops where the face fills the frame
 * @param padWhen {@code needed}: detect on the image as it is first, and pad only when it has no face or a face
 *                cut by the frame (tight crops); {@code always}: pad every image
 * @param minSide YuNet: images whose longer side (after padding) is shorter are scaled up to it, so small faces are found
 * @param maxSide YuNet: images whose longer side is longer are detected on a copy scaled down to it; a
 *                larger JPEG is decoded at 1/2, 1/4 or 1/8 scale, never below it
 * @param points where the five alignment points come from: {@code detector} (YuNet's own; a detector without
 *               them falls back to the landmark model), {@code landmarks} (always the 68-point landmark model on
 *               the detector's box) or {@code mean} (the mean of both, where the detector gives points)
 * @param tryRotations when no face is found, look again in the image turned 90° either way and 180° (a photo
 *                     turned without an EXIF orientation); costs up to three more detections, on such images only
 * @param closerLook when no face is found in a photo larger than {@code max-side}, look once more at twice
 *                   {@code max-side} (a finer decode, the image as it is): a small face in a large photo (a group
 *                   or a distant subject); YuNet only, on such images only
 * @param coarseLook a photo larger than half {@code max-side} is first looked at on a copy of half
 *                   {@code max-side} (320 px), and that look kept when it found a face at least a tenth of the
 *                   copy's longer side, none cut by the frame, for {@code select} largest or prominent (the
 *                   choices a smaller face cannot change); else the look at {@code max-side}. A phone photo's
 *                   face is found on a quarter of the detector's pixels; YuNet only
 */
@Validated
@ConfigurationProperties("faceoff.detection")
public record DetectionProperties(
        @DecimalMin("0.0") @DecimalMax("1.0") Double scoreThreshold,
        @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.4") double nmsIou,
        @Min(1) @DefaultValue("20") int minFaceSize,
        @NotNull @DefaultValue("largest") FaceSelection select,
        @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.25") double pad,
        @NotNull @DefaultValue("needed") PadWhen padWhen,
        @Min(32) @DefaultValue("160") int minSide,
        @Min(32) @DefaultValue("640") int maxSide,
        @NotNull @DefaultValue("landmarks") Points points,
        @DefaultValue("true") boolean tryRotations,
        @DefaultValue("true") boolean closerLook,
        @DefaultValue("true") boolean coarseLook) {

    /** When the image is padded before detection. */
    public enum PadWhen { NEEDED, ALWAYS }

    /** Where the five alignment points come from. */
    public enum Points { DETECTOR, LANDMARKS, MEAN }


    /** The score threshold in force for a detection model: the configured one, else the model's. */
    public double scoreThreshold(dev.faceoff.model.ModelManifest detector) {
        if (scoreThreshold != null) {
            return scoreThreshold;
        }
        return detector.scoreThreshold() == null ? 0.5 : detector.scoreThreshold();
    }
}
