package dev.faceoff.model;

import java.util.LinkedHashMap;
import java.util.Map;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * An ONNX file's inputs and outputs as name → shape (-1 for a dynamic axis), in the file's order, as its session
 * reports them.
 */
public record Signature(Map<String, long[]> inputs, Map<String, long[]> outputs) {

    public static Signature of(OrtSession session) throws OrtException {
        return new Signature(shapes(session.getInputInfo()), shapes(session.getOutputInfo()));
    }

    /** Outputs whose first axis is fixed at 1 while {@code input}'s is dynamic, comma-separated; empty if none. */
    String fixedBatchOutputs(String input) {
        long[] in = inputs.get(input);
        if (in == null || in.length == 0 || in[0] >= 0) {
            return "";
        }
        return String.join(", ", outputs.entrySet().stream()
                .filter(e -> e.getValue().length > 0 && e.getValue()[0] == 1).map(Map.Entry::getKey).toList());
    }

    private static Map<String, long[]> shapes(Map<String, NodeInfo> infos) {
        var shapes = new LinkedHashMap<String, long[]>();
        infos.forEach((name, info) -> shapes.put(name,
                info.getInfo() instanceof TensorInfo tensor ? tensor.getShape() : new long[0]));
        return shapes;
    }
}
