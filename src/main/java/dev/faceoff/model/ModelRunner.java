package dev.faceoff.model;

import dev.faceoff.common.NativeLedger;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The one place a session runs: a float input tensor in, the outputs named in the model's
 * {@code model.json} out as plain arrays, every native tensor and result closed before returning. Each
 * model class is pure pre-processing → {@link #run} → pure post-processing (DJL's Translator split).
 */
@Component
public final class ModelRunner {

    private final OnnxRuntime runtime;
    private final SessionGate gate;

    @Autowired
    ModelRunner(OnnxRuntime runtime, SessionGate gate) {
        this.runtime = runtime;
        this.gate = gate;
    }

    /** A runner of its own, outside the application (tests, tools): its gate never closes. */
    public ModelRunner(OnnxRuntime runtime) {
        this(runtime, new SessionGate());
    }

    /** Output name → values (row-major, all axes flattened), in the manifest's order. */
    public record Outputs(Map<String, float[]> values) {

        public float[] get(String name) {
            float[] v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no output '" + name + "'; have " + values.keySet());
            }
            return v;
        }
    }

    /**
     * @param input NCHW values of the manifest's input
     * @param shape the tensor's shape (its batch axis may differ from 1 where the model's is dynamic)
     * @throws dev.faceoff.common.FaceoffException {@code shutting_down} once shutdown has begun
     */
    public Outputs run(LoadedModel model, float[] input, long... shape) {
        var names = new LinkedHashSet<String>();
        model.manifest().outputs().forEach(o -> names.add(o.name()));
        try (SessionGate.Pass pass = gate.enter();
             var in = NativeLedger.track(OnnxTensor.createTensor(runtime.environment(), FloatBuffer.wrap(input), shape));
             var result = NativeLedger.track(model.session().run(Map.of(model.manifest().input().name(), in.value()), names))) {
            var values = new LinkedHashMap<String, float[]>();
            for (String name : names) {
                FloatBuffer buffer = ((OnnxTensor) result.value().get(name).orElseThrow()).getFloatBuffer();
                float[] out = new float[buffer.remaining()];
                buffer.get(out);
                values.put(name, out);
            }
            return new Outputs(values);
        } catch (OrtException e) {
            throw new IllegalStateException(model.name() + " run failed: " + e.getMessage(), e);
        }
    }
}
