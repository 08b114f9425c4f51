package dev.faceoff.model;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The contract of one model, read from {@code models/<name>/model.json}. The training export writes it,
 * {@code evaluate --calibrate} adds thresholds and metrics, and the service checks it against the real
 * ONNX session at start-up ({@link ManifestValidator}). Read strictly: a key that is not one of these
 * (a typo such as {@code "colour"}) stops start-up naming the file and the key ({@link ModelRepository#readManifest});
 * free-form objects are {@code lossParams}, {@code metrics}, {@code training} and {@code quantization}.
 *
 * @param alignment embedding models: the face crop they take ({@code arcface-112-5pt})
 * @param decoding detection models: how their outputs are read ({@code yunet} or {@code rfb})
 * @param scoreThreshold detection models: the default lowest confidence kept (faceoff.detection.score-threshold overrides)
 * @param notes free text for people (what the model is, caveats)
 * @param quantization quantized models: how they were made from their parent (models/tools)
 * @param identification embedding models, optional: the impostor-score tail that open-set identification thresholds
 *        come from ({@link #identificationThreshold}); a model without it still serves verification
 */
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
        Identification identification,
        Map<String, Object> metrics,
        Map<String, Object> training,
        String notes,
        Map<String, Object> quantization,
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

    /** The two tensor layouts an image input can have. */
    public enum Layout { NCHW, NHWC }

    /**
     * Input contract: a 4-d float tensor ({@code layout} NCHW or NHWC) of pixels in the given colour order,
     * normalised as {@code (p - mean[c]) / std[c]} with p in 0…255. {@code mean} and {@code std} are one number
     * for every channel or one per channel, in the tensor's channel order (ImageNet's RGB normalisation is
     * {@code "mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375]}).
     */
    public record Input(String name, List<Long> shape, Layout layout, Color color,
                        @JsonFormat(with = {JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                                JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED}) List<Double> mean,
                        @JsonFormat(with = {JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                                JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED}) List<Double> std) {
        public Input {
            shape = shape == null ? List.of() : List.copyOf(shape);
            layout = layout == null ? Layout.NCHW : layout;
            mean = mean == null || mean.isEmpty() ? List.of(0.0) : List.copyOf(mean);
            std = std == null || std.isEmpty() ? List.of(1.0) : List.copyOf(std);
        }

        /** One mean and one standard deviation for every channel. */
        public Input(String name, List<Long> shape, Layout layout, Color color, double mean, double std) {
            this(name, shape, layout, color, List.of(mean), List.of(std));
        }

        public int channels() {
            return axis(layout == Layout.NCHW ? 1 : 3);
        }

        public int height() {
            return axis(layout == Layout.NCHW ? 2 : 1);
        }

        public int width() {
            return axis(layout == Layout.NCHW ? 3 : 2);
        }

        /** The tensor shape for a batch of images of this size, in the input's layout. */
        public long[] shape(int batch, int height, int width) {
            return layout == Layout.NCHW ? new long[]{batch, channels(), height, width}
                    : new long[]{batch, height, width, channels()};
        }

        /** The tensor shape for a batch at the input's own size. */
        public long[] shape(int batch) {
            return shape(batch, height(), width());
        }

        /** The mean of tensor channel {@code c}. */
        public double mean(int c) {
            return mean.get(mean.size() == 1 ? 0 : c);
        }

        /** The standard deviation of tensor channel {@code c}. */
        public double std(int c) {
            return std.get(std.size() == 1 ? 0 : c);
        }

        private int axis(int i) {
            return Math.toIntExact(shape.get(i));
        }
    }

    /** One output the service reads: its name and either its last dimension or its whole shape. */
    public record Output(String name, Integer dim, List<Long> shape) {
        public Output {
            shape = shape == null ? List.of() : List.copyOf(shape);
        }
    }

    /**
     * A decision threshold on cosine similarity, measured at a false-accept rate on a data set: the
     * true-accept rate there, the impostor pairs it came from and the day it was calibrated.
     */
    public record Threshold(double cosine, Double tar, String dataset, Integer pairs, String calibrated) {
    }

    /**
     * The impostor-score tail ({@code evaluate --calibrate}): the cosine threshold at false-accept rates from 1e-2 down to
     * the deepest the impostor pairs support, on one data set. Its points are kept shallowest FAR first.
     */
    public record Identification(String dataset, Long impostorPairs, List<TailPoint> tail, String calibrated) {
        public Identification {
            tail = tail == null ? List.of()
                    : tail.stream().sorted(java.util.Comparator.comparingDouble(TailPoint::far).reversed()).toList();
        }
    }

    /** One point of the tail: the threshold at which a share {@code far} of the impostor pairs scores at or above it. */
    public record TailPoint(double far, double cosine) {
    }

    public record Provenance(String source, String license, String url) {
    }

    /** This manifest with another name, input contract and notes (the import job's drafts and probe candidates). */
    public ModelManifest with(String name, Input input, String notes) {
        return new ModelManifest(name, version, task, loss, lossParams, backbone, file, sha256, input, outputs, alignment,
                decoding, scoreThreshold, testTimeFlip, thresholds, identification, metrics, training, notes, quantization,
                provenance);
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

    /**
     * The identification threshold for a gallery of {@code gallerySize} at the target false-positive identification rate
     * {@code fpir}, from the calibrated tail; empty when the model has no tail (it cannot identify, only verify).
     */
    public java.util.Optional<IdentificationThreshold> identificationThreshold(double fpir, long gallerySize) {
        if (identification == null || identification.tail().isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(IdentificationThreshold.of(identification.tail(), fpir, gallerySize));
    }

    /** Thresholds keyed by their numeric FAR, smallest FAR first. */
    public TreeMap<Double, Threshold> thresholdsByFar() {
        var byFar = new TreeMap<Double, Threshold>();
        thresholds.forEach((far, threshold) -> byFar.put(Double.parseDouble(far), threshold));
        return byFar;
    }
}
