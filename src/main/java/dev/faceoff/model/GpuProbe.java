package dev.faceoff.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** Looks for an NVIDIA GPU the cheap way: the driver's device nodes and proc entries. */
final class GpuProbe {

    private GpuProbe() {
    }

    /** Null when an NVIDIA device is visible, else a sentence saying what was missing. */
    static String absentReason() {
        boolean device = Files.exists(Path.of("/dev/nvidia0")) || Files.exists(Path.of("/dev/nvidiactl"));
        boolean driver = Files.isDirectory(Path.of("/proc/driver/nvidia"));
        if (device || driver) {
            return null;
        }
        return "no NVIDIA GPU found (no /dev/nvidia0, /dev/nvidiactl or /proc/driver/nvidia)";
    }
}
