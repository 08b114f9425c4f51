package dev.faceoff.model;

import dev.faceoff.model.RuntimeProperties.Provider;

/**
 * Whether to ask ONNX Runtime for CUDA, decided once at start-up from what was requested, what the
 * ONNX Runtime build contains and whether an NVIDIA device is visible. Asking for CUDA without a GPU
 * costs a 583 MB library unpack and an exception, so we look first.
 *
 * @param tryCuda ask for the CUDA execution provider
 * @param reason why not, when CUDA was wanted ({@code auto} or {@code cuda}) but will not be tried; else null
 */
record ProviderDecision(boolean tryCuda, String reason) {

    static ProviderDecision decide(Provider requested, boolean cudaInBuild, String gpuAbsentReason) {
        if (requested == Provider.CPU) {
            return new ProviderDecision(false, null);
        }
        if (!cudaInBuild) {
            return new ProviderDecision(false,
                    "this ONNX Runtime build has no CUDA provider (the 'cpu' Maven flavour); build with -Pgpu");
        }
        if (gpuAbsentReason != null) {
            return new ProviderDecision(false, gpuAbsentReason);
        }
        return new ProviderDecision(true, null);
    }
}
