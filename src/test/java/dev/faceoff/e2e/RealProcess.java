package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.faceoff.SharedData;
import dev.faceoff.testing.ModelStores;

/** faceoff as a separate JVM on loopback (the test classpath), for tests that signal it, watch its memory or outlive a crash. */
final class RealProcess {

    private RealProcess() {
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts faceoff on 127.0.0.1:{@code port} in {@code work} (its log: out.log) with the pretrained embedder only. */
    static Process start(Path work, int port, List<String> jvmOptions, List<String> appArguments) throws IOException {
        return start(work, port, jvmOptions, appArguments, SharedData.models(), "mobilefacenet-faceplugin");
    }

    /** Starts faceoff on the model store {@code store}, loading the embedding models {@code include} lets through. */
    static Process start(Path work, int port, List<String> jvmOptions, List<String> appArguments, Path store,
                         String include) throws IOException {
        Files.createDirectories(work);
        Path args = work.resolve("java.args");
        var lines = new ArrayList<>(jvmOptions);
        lines.addAll(List.of("-cp", quote(System.getProperty("java.class.path")), "dev.faceoff.FaceoffApplication",
                "--server.port=" + port, "--server.address=127.0.0.1", "--faceoff.models.include=" + include));
        ModelStores.properties(store).forEach(p -> lines.add(quote("--" + p)));
        lines.addAll(appArguments);
        // an argument file keeps the command line short (ONNX Runtime crashes on one over ~4 kB)
        Files.writeString(args, String.join("\n", lines));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        var builder = new ProcessBuilder(java.toString(), "@" + args)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("out.log").toFile());
        // glibc: two arenas, and blocks over 128 KB (pixels, tensors) mapped and unmapped on their own, so that
        // resident memory follows what is live rather than how fragmented the heap became
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.environment().put("MALLOC_MMAP_THRESHOLD_", "131072");
        return builder.start();
    }

    static void awaitReady(Process process, int port) throws Exception {
        var http = new Http(port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("faceoff exited during start-up").isTrue();
            try {
                if (http.get("/actuator/health/readiness").status() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("faceoff not ready within 120 s");
    }

    /** Resident memory of the process in bytes (/proc/PID/status VmRSS). */
    static long rss(Process process) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.trim().split("\\s+")[1]) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + process.pid());
    }

    static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\") + "\"";
    }
}
