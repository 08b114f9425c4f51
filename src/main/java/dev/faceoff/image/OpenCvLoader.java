package dev.faceoff.image;

/** Loads OpenCV's native library (bundled by org.openpnp:opencv) once per JVM. */
public final class OpenCvLoader {

    private static volatile boolean loaded;

    private OpenCvLoader() {
    }

    public static synchronized void load() {
        if (!loaded) {
            nu.pattern.OpenCV.loadLocally();
            loaded = true;
        }
    }
}
