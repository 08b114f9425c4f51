package dev.faceoff.model;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The contract of one model, read from {@code models/<name>/model.json}. The training export writes it,
 * {@code evaluate --calibrate} adds thresholds and metrics, and the service checks it against the real
 * ONNX session at start-up ({@link ManifestValidator}).
 *
 * @param alignment embedding models: the face crop they take ({@code arcface-112-5pt})
 * @param decoding detection models: how their outputs are read ({@code yunet} or {@code rfb})
 * @param scoreThreshold detection models: the default lowest confidence kept (faceoff.detection.score-threshold overrides)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
        String name,
        int version,
        Task task,
        String loss,
        Map<String, Object> lossParams,
        String backbone,
        String file,
        String sha256,
        Input input,
        List<Output> outputs,
        String alignment,
        String decoding,
        Double scoreThreshold,
        Boolean testTimeFlip,
        Map<String, Threshold> thresholds,
        Map<String, Object> metrics,
        Map<String, Object> training,
        Provenance provenance) {

    public ModelManifest {
        lossParams = lossParams == null ? Map.of() : Map.copyOf(lossParams);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
        thresholds = thresholds == null ? Map.of() : Map.copyOf(thresholds);
        metrics = metrics == null ? Map.of() : metrics;
        training = training == null ? Map.of() : training;
        loss = loss == null || loss.isBlank() ? "unknown" : loss;
        file = file == null || file.isBlank() ? "model.onnx" : file;
        testTimeFlip = Boolean.TRUE.equals(testTimeFlip);   // absent: served without flip
    }

    public enum Task {
        @JsonProperty("detection") DETECTION,
        @JsonProperty("landmarks") LANDMARKS,
        @JsonProperty("embedding") EMBEDDING;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Color { RGB, BGR, GRAY }

    /** Input contract: NCHW float tensor, pixels normalised as (p - mean) / std in the given colour order. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Input(String name, List<Long> shape, String layout, Color color, double mean, double std) {
        public Input {
            shape = shape == null ? List.of() : List.copyOf(shape);
            layout = layout == null ? "NCHW" : layout;
            std = std == 0 ? 1 : std;
        }

        public int channels() {
            return Math.toIntExact(shape.get(1));
        }

        public int height() {
            return Math.toIntExact(shape.get(2));
        }

        public int width() {
            return Math.toIntExact(shape.get(3));
        }
    }

    /** One output the service reads: its name and either its last dimension or its whole shape. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Output(String name, Integer dim, List<Long> shape) {
        public Output {
            shape = shape == null ? List.of() : List.copyOf(shape);
        }
    }

    /**
     * A decision threshold on cosine similarity, measured at a false-accept rate on a data set: the
     * true-accept rate there, the impostor pairs it came from and the day it was calibrated.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Threshold(double cosine, Double tar, String dataset, Integer pairs, String calibrated) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Provenance(String source, String license, String url) {
    }

    /** A detector that finds the five points itself (no landmark model needed). */
    public boolean givesLandmarks() {
        return "yunet".equals(decoding);
    }

    /** The first output: the embedding of an embedding model, the points of a landmark model; null if none. */
    public Output output() {
        return outputs.isEmpty() ? null : outputs.get(0);
    }

    /**
     * The threshold calibrated at {@code far}, matching the manifest's keys ("1e-3") numerically. The one
     * place a FAR is looked up: verification, shadow comparisons and the start-up check all use it.
     */
    public java.util.Optional<Threshold> thresholdAt(double far) {
        return thresholdsByFar().entrySet().stream()
                .filter(e -> Math.abs(e.getKey() - far) <= 1e-9 * Math.max(far, 1e-12))
                .map(java.util.Map.Entry::getValue).findFirst();
    }

    /** Thresholds keyed by their numeric FAR, smallest FAR first. */
    public TreeMap<Double, Threshold> thresholdsByFar() {
        var byFar = new TreeMap<Double, Threshold>();
        thresholds.forEach((far, threshold) -> byFar.put(Double.parseDouble(far), threshold));
        return byFar;
    }
}
