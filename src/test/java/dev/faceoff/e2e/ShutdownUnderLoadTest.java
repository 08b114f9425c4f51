package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.faceoff.SharedData;

/**
 * SIGTERM with requests in flight, to a real faceoff process, twenty times: every request sent before the
 * signal is answered (200, or 503 {@code shutting_down}), the process exits with 143 (128 + SIGTERM) and
 * leaves no {@code hs_err_pid*.log}. Before the fix 4 of 5 such runs died of a SIGSEGV in
 * {@code OrtSession.run} (ONNX Runtime's own shutdown hook freed its environment under running inference).
 */
class ShutdownUnderLoadTest {

    static final int RUNS = 20;
    static final int CLIENTS = 4;
    /** A request sent this long before the signal has certainly been accepted by the server. */
    static final long ADMITTED_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    static byte[] image1;
    static byte[] image2;

    @BeforeAll
    static void images() throws IOException {
        Path lfw = SharedData.lfw();
        SharedData.pretrainedModels();
        image1 = TestImages.read(lfw, "Aaron_Peirsol", 1);
        image2 = TestImages.read(lfw, "Aaron_Peirsol", 2);
    }

    record Sent(long startNanos, long endNanos, int status, String body, Exception error) {
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)   // twenty JVM starts and stops (junit-platform.properties: 5)
    void sigtermWithRequestsInFlightAnswersThemAndExitsCleanly(@TempDir Path dir) throws Exception {
        int inFlightAtSignal = 0;
        for (int run = 0; run < RUNS; run++) {
            inFlightAtSignal += oneRun(dir.resolve("run" + run), run);
        }
        // the test is only worth something if the signal really met running requests
        assertThat(inFlightAtSignal).as("requests in flight when SIGTERM arrived, over all runs").isGreaterThanOrEqualTo(RUNS);
    }

    private int oneRun(Path work, int run) throws Exception {
        int port = RealProcess.freePort();
        Process process = RealProcess.start(work, port, List.of("-Xmx1g"), List.of());
        try {
            RealProcess.awaitReady(process, port);
            var sent = new ConcurrentLinkedQueue<Sent>();
            var stop = new AtomicBoolean();
            var clients = new ArrayList<Thread>();
            for (int c = 0; c < CLIENTS; c++) {
                var client = new Thread(() -> drive(port, stop, sent), "client-" + c);
                client.start();
                clients.add(client);
            }
            Thread.sleep(600 + 97L * run % 400);    // load for a while, signal at a different phase each run
            long signalAt = System.nanoTime();
            process.destroy();                       // SIGTERM
            boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            stop.set(true);
            for (Thread t : clients) {
                t.join(30_000);
            }
            assertThat(exited).as("run %d: exited within 60 s of SIGTERM", run).isTrue();
            String log = Files.readString(work.resolve("out.log"));
            assertThat(process.exitValue()).as("run %d exit code; log tail:%n%s", run, RealProcess.tail(log)).isIn(0, 143);
            try (Stream<Path> files = Files.list(work)) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("hs_err")))
                        .as("run %d: native crash logs", run).isEmpty();
            }
            assertThat(log).doesNotContain("SIGSEGV", "A fatal error has been detected");

            List<Sent> admitted = sent.stream().filter(s -> s.startNanos() < signalAt - ADMITTED_MARGIN_NANOS).toList();
            assertThat(admitted).as("run %d: requests before the signal", run).isNotEmpty();
            for (Sent s : admitted) {
                assertThat(s.error()).as("run %d: a request sent before SIGTERM got no answer", run).isNull();
                assertThat(s.status()).as("run %d: answer %s", run, s.body()).isIn(200, 503);
                if (s.status() == 503) {
                    assertThat(s.body()).contains("shutting_down");
                }
            }
            for (Sent s : sent) {
                if (s.error() == null) {
                    assertThat(s.status()).as("run %d: after the signal only 200 or 503: %s", run, s.body()).isIn(200, 503);
                }
            }
            int inFlight = inFlight(sent, signalAt);
            System.out.printf("shutdown run %d: %d requests sent before SIGTERM, %d in flight at the signal (answered 200 after it), "
                            + "%d answered 503, exit %d%n", run, admitted.size(), inFlight,
                    sent.stream().filter(s -> s.status() == 503).count(), process.exitValue());
            return inFlight;
        } finally {
            process.destroyForcibly();
        }
    }

    /** Requests started before the signal and answered after it: the ones the shutdown had to wait for. */
    private static int inFlight(ConcurrentLinkedQueue<Sent> sent, long signalAt) {
        return (int) sent.stream().filter(s -> s.startNanos() < signalAt && s.error() == null && s.status() == 200
                && s.endNanos() > signalAt).count();
    }

    private static void drive(int port, AtomicBoolean stop, ConcurrentLinkedQueue<Sent> sent) {
        var http = new Http(port);
        while (!stop.get()) {
            long start = System.nanoTime();
            try {
                Http.Response r = http.verify(image1, image2, java.util.Map.of());
                sent.add(new Sent(start, System.nanoTime(), r.status(), r.body(), null));
            } catch (IOException e) {
                sent.add(new Sent(start, System.nanoTime(), 0, "", e));
                return;    // the server has gone: connection refused or closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
