package dev.faceoff;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the data sets ({@code ../shared/datasets}) and the model store are. The shared folder is
 * {@code FACEOFF_SHARED} where the environment sets it (as for every script of the repository), else
 * {@code -Dfaceoff.shared} (the pom gives {@code ../shared}). Tests that need them skip with a clear message
 * on a machine without them, and fail in CI, where they must exist ({@link Prerequisites#missing}).
 */
public final class SharedData {

    private SharedData() {
    }

    public static Path shared() {
        String environment = System.getenv("FACEOFF_SHARED");
        String folder = environment != null && !environment.isBlank() ? environment
                : System.getProperty("faceoff.shared", "../shared");
        return Path.of(folder).toAbsolutePath().normalize();
    }

    public static Path models() {
        return Path.of(System.getProperty("faceoff.models", "models")).toAbsolutePath().normalize();
    }

    /** The LFW images folder, or skip (locally) / fail (CI). */
    public static Path lfw() {
        return require(shared().resolve("datasets/lfw/lfw-deepfunneled"), "LFW images");
    }

    public static Path lfwPairs() {
        return require(shared().resolve("datasets/lfw/pairs.txt"), "LFW pairs.txt");
    }

    public static Path dataset(String name) {
        return require(shared().resolve("datasets").resolve(name), "data set " + name);
    }

    /** The fetched pretrained models (models/fetch-pretrained.sh). */
    public static Path pretrainedModels() {
        require(models().resolve("mobilefacenet-faceplugin/model.onnx"), "pretrained models (run models/fetch-pretrained.sh)");
        require(models().resolve("detector-yunet/model.onnx"),
                "the YuNet detector (models/fetch-pretrained.sh copies it from ../shared/models/yunet)");
        return models();
    }

    public static Path require(Path path, String what) {
        if (!Files.exists(path)) {
            throw Prerequisites.missing(what + " not found at " + path);
        }
        return path;
    }
}
