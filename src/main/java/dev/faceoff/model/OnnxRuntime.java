package dev.faceoff.model;

import java.nio.file.Path;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.faceoff.model.RuntimeProperties.Provider;

/**
 * The one ONNX Runtime environment and the way sessions are opened: execution provider (CUDA or CPU,
 * decided once), threads and spinning. Sessions are shared by all request threads.
 */
@Component
public final class OnnxRuntime {

    private static final Logger log = LoggerFactory.getLogger(OnnxRuntime.class);

    private final OrtEnvironment environment;
    private final RuntimeProperties properties;
    private volatile ProviderDecision decision;

    public OnnxRuntime(RuntimeProperties properties) {
        CommandLineGuard.check();
        this.environment = OrtEnvironment.getEnvironment();
        this.properties = properties;
        boolean cudaInBuild = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        this.decision = ProviderDecision.decide(properties.provider(), cudaInBuild,
                properties.provider() == Provider.CPU ? null : GpuProbe.absentReason());
        if (decision.reason() != null) {
            refuseOrWarn(decision.reason());
        }
    }

    public OrtEnvironment environment() {
        return environment;
    }

    public Provider requested() {
        return properties.provider();
    }

    /** A session on CUDA if decided and possible, else on CPU. */
    OpenedSession open(Path file) throws OrtException {
        return open(file, false);
    }

    /**
     * @param quiet keep ONNX Runtime's own per-run warnings out of the log (errors still show): for a model whose
     *              output declares a fixed batch its input does not have, ONNX Runtime warns on every run
     */
    OpenedSession open(Path file, boolean quiet) throws OrtException {
        try (var options = new OrtSession.SessionOptions()) {
            if (quiet) {
                options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            }
            options.setIntraOpNumThreads(properties.intraOpThreads());
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.addConfigEntry("session.intra_op.allow_spinning", properties.spinning() ? "1" : "0");
            options.addConfigEntry("session.inter_op.allow_spinning", properties.spinning() ? "1" : "0");
            if (properties.denormalAsZero()) {
                options.addConfigEntry("session.set_denormal_as_zero", "1");
            }
            String provider = "cpu";
            if (decision.tryCuda()) {
                try (var cuda = new OrtCUDAProviderOptions(properties.deviceId())) {
                    if (properties.gpuMemLimitMb() > 0) {
                        cuda.add("gpu_mem_limit", Long.toString(properties.gpuMemLimitMb() * 1024 * 1024));
                    }
                    options.addCUDA(cuda);
                    provider = "cuda";
                } catch (OrtException e) {
                    // Don't try again for the next model: each attempt unpacks the provider library.
                    decision = new ProviderDecision(false, "CUDA provider failed to load: " + firstLine(e));
                    refuseOrWarn(decision.reason());
                }
            }
            return new OpenedSession(environment.createSession(file.toString(), options), provider);
        }
    }

    private void refuseOrWarn(String reason) {
        if (properties.provider() == Provider.CUDA) {
            throw new ModelLoadException("faceoff.runtime.provider=cuda but CUDA cannot be used: " + reason);
        }
        log.warn("CUDA unavailable, running every model on CPU: {}", reason);
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    record OpenedSession(OrtSession session, String provider) {
    }
}
