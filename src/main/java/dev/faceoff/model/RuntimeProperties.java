package dev.faceoff.model;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.runtime.*}: how ONNX Runtime runs the models.
 *
 * @param provider {@code auto} (CUDA when an NVIDIA GPU is present, else CPU with one WARN line),
 *                 {@code cuda} (fail start-up without CUDA) or {@code cpu}
 * @param deviceId the CUDA device
 * @param gpuMemLimitMb the CUDA arena limit in MiB (0: ONNX Runtime's default, no limit)
 * @param intraOpThreads threads per session run; 1 scales best under concurrent requests
 * @param spinning whether idle ORT threads spin-wait (measured: spinning tripled latency under load)
 * @param denormalAsZero flush denormal floats to zero (measured: the pretrained embedder runs about 5×
 *                       faster; no measurable change in accuracy)
 */
@Validated
@ConfigurationProperties("faceoff.runtime")
public record RuntimeProperties(
        @NotNull @DefaultValue("auto") Provider provider,
        @Min(0) @DefaultValue("0") int deviceId,
        @Min(0) @DefaultValue("0") long gpuMemLimitMb,
        @Min(1) @DefaultValue("1") int intraOpThreads,
        @DefaultValue("false") boolean spinning,
        @DefaultValue("true") boolean denormalAsZero) {

    public enum Provider { AUTO, CUDA, CPU }
}
