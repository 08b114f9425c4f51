package dev.faceoff.model;

import java.nio.file.Path;

import ai.onnxruntime.OrtSession;

/**
 * A model ready to serve: its manifest, its one shared session, and the provider it runs on.
 *
 * @param directory the model's folder in the store
 * @param provider {@code cuda} or {@code cpu}
 */
public record LoadedModel(ModelManifest manifest, OrtSession session, String provider, Path directory) {

    public String name() {
        return manifest.name();
    }

    /** True when the first input axis is dynamic, so several faces can go through one run. */
    public boolean dynamicBatch() {
        return manifest.input().shape().get(0) < 0;
    }
}
