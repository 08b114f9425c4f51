import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load for the overload benchmark (bench/goodput.py), one JSON line out. POSTs the JSON bodies listed in a file
 * (one path a line) to /v1/verify, in turn, and records every answer: status, latency, whether a 503 carried
 * Retry-After. Three ways to offer load:
 * <ul>
 *   <li>{@code closed C}: C clients, each sending its next request as soon as it has an answer, never retrying
 *       (most HTTP clients and load balancers behave so);</li>
 *   <li>{@code open R}: requests arrive at R per second on a fixed schedule whatever the answers (a crowd of
 *       independent users), each on its own thread;</li>
 *   <li>{@code polite C}: C clients that honour Retry-After: after a 503 a client waits Retry-After seconds times
 *       a random factor in [0.5, 1.5) (jitter, so refused clients do not return together), then tries again.</li>
 * </ul>
 * Run it with the source launcher: {@code java bench/Load.java URL BODIES MODE N SECONDS}.
 */
public final class Load {

    record Answer(int status, double ms, boolean retryAfter, long doneNanos) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: java bench/Load.java URL BODIES closed|open|polite N SECONDS");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        List<byte[]> bodies = new ArrayList<>();
        for (String path : Files.readAllLines(Path.of(args[1]))) {
            if (!path.isBlank()) {
                bodies.add(Files.readAllBytes(Path.of(path.strip())));
            }
        }
        String mode = args[2];
        double n = Double.parseDouble(args[3]);
        long seconds = Long.parseLong(args[4]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);

        Runnable one = () -> {
            byte[] body = bodies.get(Math.floorMod(next.getAndIncrement(), bodies.size()));
            long t0 = System.nanoTime();
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
                long t1 = System.nanoTime();
                answers.add(new Answer(r.statusCode(), (t1 - t0) / 1e6, r.headers().firstValue("Retry-After").isPresent(), t1));
                if (r.statusCode() == 503 && mode.equals("polite")) {
                    double wait = r.headers().firstValue("Retry-After").map(Double::parseDouble).orElse(1.0);
                    sleepUntil(Math.min(end, System.nanoTime()
                            + (long) (wait * ThreadLocalRandom.current().nextDouble(0.5, 1.5) * 1e9)));
                }
            } catch (IOException e) {
                failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        ExecutorService pool;
        if (mode.equals("open")) {
            pool = Executors.newCachedThreadPool();
            long interval = (long) (1e9 / n);
            for (long at = start; at < end; at += interval) {
                sleepUntil(at);
                pool.execute(one);
            }
        } else {
            int clients = (int) n;
            pool = Executors.newFixedThreadPool(clients);
            for (int i = 0; i < clients; i++) {
                pool.execute(() -> {
                    while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                        one.run();
                    }
                });
            }
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60, TimeUnit.SECONDS);
        double duration = (System.nanoTime() - start) / 1e9;
        report(answers, failures, duration, (end - start) / 1e9, end);
    }

    /**
     * Counts the answers that arrived within the offered window (those still in flight when it closed would flatter
     * a closed loop by up to one per client); latency percentiles of the 200s only.
     */
    static void report(List<Answer> answers, Map<String, Integer> failures, double duration, double window, long end) {
        List<Answer> all;
        synchronized (answers) {
            all = answers.stream().filter(a -> a.doneNanos() <= end).toList();
        }
        var status = new TreeMap<Integer, Integer>();
        var ok = new ArrayList<Double>();
        int without = 0;
        for (Answer a : all) {
            status.merge(a.status(), 1, Integer::sum);
            if (a.status() == 200) {
                ok.add(a.ms());
            } else if (a.status() == 503 && !a.retryAfter()) {
                without++;
            }
        }
        Collections.sort(ok);
        var json = new StringBuilder("{");
        json.append(String.format(Locale.ROOT, "\"window_s\":%.3f,\"duration_s\":%.3f,\"answers\":%d,", window, duration, all.size()));
        json.append(String.format(Locale.ROOT, "\"goodput_per_s\":%.3f,", ok.size() / window));
        json.append("\"status\":{");
        status.forEach((k, v) -> json.append('"').append(k).append("\":").append(v).append(','));
        if (!status.isEmpty()) {
            json.setLength(json.length() - 1);
        }
        json.append("},\"failures\":{");
        failures.forEach((k, v) -> json.append('"').append(k).append("\":").append(v).append(','));
        if (!failures.isEmpty()) {
            json.setLength(json.length() - 1);
        }
        json.append(String.format(Locale.ROOT, "},\"refusals_without_retry_after\":%d,\"admitted_p50_ms\":%.1f,"
                + "\"admitted_p95_ms\":%.1f,\"admitted_p99_ms\":%.1f,\"admitted_max_ms\":%.1f}", without, q(ok, 0.5),
                q(ok, 0.95), q(ok, 0.99), ok.isEmpty() ? 0 : ok.get(ok.size() - 1)));
        System.out.println(json);
    }

    private static double q(List<Double> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (p * sorted.size())));
    }

    private static void sleepUntil(long nanos) {
        long wait;
        while ((wait = nanos - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
