package dev.faceoff.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ONNX Runtime 1.29.0 kills the JVM with SIGSEGV while creating its environment when the process command
 * line is longer than about 3,980 bytes (measured here: 3,980 works, 3,981 crashes; a long {@code -cp}
 * is the usual cause). Refuse with a message before that happens. {@code java -jar} and argument files
 * ({@code java @args}) keep the command line short.
 */
final class CommandLineGuard {

    static final int LIMIT = 3900;

    private CommandLineGuard() {
    }

    static void check() {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (!Files.isReadable(cmdline)) {
            return;
        }
        try {
            int length = Files.readAllBytes(cmdline).length;
            check(length);
        } catch (IOException e) {
            // not Linux, or unreadable: nothing to guard
        }
    }

    static void check(int length) {
        if (length > LIMIT) {
            throw new ModelLoadException("the process command line is " + length + " bytes; ONNX Runtime 1.29.0 "
                    + "crashes the JVM (SIGSEGV) above about 3,980. Start with 'java -jar', or put long options "
                    + "such as -cp into an argument file: java @argfile");
        }
    }
}
