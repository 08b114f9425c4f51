package dev.faceoff.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks a manifest against the shapes an ONNX session really has. Pure: the session's inputs and
 * outputs come in as name → shape maps (-1 for a dynamic axis), so this is unit-tested without ONNX.
 */
final class ManifestValidator {

    /** The face crops the service makes (FaceAligner): 5 points to the 112×112 ArcFace template. */
    static final List<String> ALIGNMENTS = List.of("arcface-112-5pt");

    /** How detection outputs can be read (detection's Detectors). */
    static final List<String> DECODINGS = List.of("yunet", "rfb");

    private ManifestValidator() {
    }

    /** Every mismatch, as sentences; empty when the manifest describes the session. */
    static List<String> problems(ModelManifest manifest, Map<String, long[]> inputs, Map<String, long[]> outputs) {
        var problems = new ArrayList<String>();
        if (manifest.name() == null || manifest.name().isBlank()) {
            problems.add("manifest has no name");
        }
        if (manifest.task() == null) {
            problems.add("manifest has no task (detection, landmarks or embedding)");
        }
        var input = manifest.input();
        if (input == null || input.name() == null) {
            problems.add("manifest has no input name");
        } else if (!inputs.containsKey(input.name())) {
            problems.add("input '" + input.name() + "' not in model; model inputs are " + inputs.keySet());
        } else {
            long[] actual = inputs.get(input.name());
            if (input.shape().size() != 4) {
                problems.add("input '" + input.name() + "' must be described as a 4-d " + input.layout() + " shape, got "
                        + input.shape());
            } else {
                if (!shapesMatch(input.shape(), actual)) {
                    problems.add("input '" + input.name() + "' shape " + input.shape() + " != model's "
                            + Arrays.toString(actual));
                }
                problems.addAll(pixelProblems(input));
            }
        }
        if (manifest.outputs().isEmpty()) {
            problems.add("manifest names no output");
        }
        for (var output : manifest.outputs()) {
            long[] actual = outputs.get(output.name());
            if (actual == null) {
                problems.add("output '" + output.name() + "' not in model; model outputs are " + outputs.keySet());
                continue;
            }
            if (output.dim() != null && (actual.length == 0 || actual[actual.length - 1] != output.dim())) {
                problems.add("output '" + output.name() + "' dim " + output.dim() + " != model's last axis of "
                        + Arrays.toString(actual));
            }
            if (!output.shape().isEmpty() && !shapesMatch(output.shape(), actual)) {
                problems.add("output '" + output.name() + "' shape " + output.shape() + " != model's "
                        + Arrays.toString(actual));
            }
        }
        if (manifest.task() == ModelManifest.Task.DETECTION && !DECODINGS.contains(manifest.decoding())) {
            problems.add("decoding '" + manifest.decoding() + "' is not one the service reads " + DECODINGS);
        }
        if (manifest.task() == ModelManifest.Task.EMBEDDING) {
            if (manifest.output() == null || manifest.output().dim() == null) {
                problems.add("an embedding manifest needs outputs[0].dim");
            }
            if (!ALIGNMENTS.contains(manifest.alignment())) {
                problems.add("alignment '" + manifest.alignment() + "' is not one the service produces " + ALIGNMENTS);
            }
        }
        if (manifest.identification() != null) {
            problems.addAll(tailProblems(manifest.identification()));
        }
        return problems;
    }

    /**
     * The impostor tail reads as thresholds: at least one point, each FAR in (0, 1) and distinct, each cosine finite, and
     * the thresholds never falling as the FAR gets smaller (what interpolating between them assumes).
     */
    static List<String> tailProblems(ModelManifest.Identification identification) {
        var problems = new ArrayList<String>();
        List<ModelManifest.TailPoint> tail = identification.tail();   // shallowest FAR first
        if (tail.isEmpty()) {
            problems.add("identification.tail has no points");
        }
        for (int i = 0; i < tail.size(); i++) {
            var point = tail.get(i);
            if (!(point.far() > 0 && point.far() < 1) || !Double.isFinite(point.cosine())) {
                problems.add("identification.tail: far must lie in (0, 1) and cosine be a number, got " + point);
            } else if (i > 0 && point.far() == tail.get(i - 1).far()) {
                problems.add("identification.tail has far " + point.far() + " twice");
            } else if (i > 0 && point.cosine() < tail.get(i - 1).cosine()) {
                problems.add("identification.tail: the threshold at far " + point.far() + " (" + point.cosine()
                        + ") is below the one at the larger far " + tail.get(i - 1).far());
            }
        }
        return problems;
    }

    /** Colour, channel axis and normalisation agree with each other. */
    private static List<String> pixelProblems(ModelManifest.Input input) {
        var problems = new ArrayList<String>();
        String name = "input '" + input.name() + "'";
        if (input.color() == null) {
            problems.add(name + " has no color (RGB, BGR or GRAY)");
            return problems;
        }
        int channels = input.channels();
        if (channels != (input.color() == ModelManifest.Color.GRAY ? 1 : 3)) {
            problems.add(name + " is " + input.color() + " but its " + input.layout() + " shape " + input.shape()
                    + " has " + channels + " channel(s) (is the layout NCHW or NHWC?)");
            return problems;
        }
        for (var values : List.of(input.mean(), input.std())) {
            if (values.size() != 1 && values.size() != channels) {
                problems.add(name + " needs one mean and one std, or one per channel (" + channels + "); got "
                        + input.mean() + " and " + input.std());
                break;
            }
        }
        if (input.std().stream().anyMatch(v -> !(v > 0))) {
            problems.add(name + " std must be positive, got " + input.std());
        }
        return problems;
    }

    /** Same rank; every axis equal, or dynamic (-1) on both sides. */
    static boolean shapesMatch(List<Long> declared, long[] actual) {
        if (declared.size() != actual.length) {
            return false;
        }
        for (int i = 0; i < actual.length; i++) {
            long d = declared.get(i);
            long a = actual[i];
            boolean dynamicDeclared = d < 0;
            boolean dynamicActual = a < 0;
            if (dynamicDeclared != dynamicActual || (!dynamicDeclared && d != a)) {
                return false;
            }
        }
        return true;
    }
}
