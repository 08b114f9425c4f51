package dev.faceoff.image;

/**
 * Loads OpenCV's native library (bundled by org.openpnp:opencv) once per JVM: from {@code java.library.path}
 * when it is there (a layout made by {@code bin/layout}: no unpacking at start-up, ~0.4 s saved), else
 * unpacked from the jar into {@code java.io.tmpdir}.
 */
public final class OpenCvLoader {

    private static volatile boolean loaded;

    private OpenCvLoader() {
    }

    public static synchronized void load() {
        if (!loaded) {
            try {
                System.loadLibrary(org.opencv.core.Core.NATIVE_LIBRARY_NAME);
            } catch (UnsatisfiedLinkError notOnLibraryPath) {
                nu.pattern.OpenCV.loadLocally();
            }
            loaded = true;
        }
    }
}
