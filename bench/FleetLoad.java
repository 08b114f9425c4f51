import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet's load (bench/fleet.sh): a mix of the API's calls through the load balancer, every answer written as
 * one JSON line (bench/fleet.py reads them). Per task, in turn: a verification of an LFW pair (genuine or impostor,
 * the truth known) followed by its feedback, an identification, an enrolment (PUT the subject, POST one face).
 * <ul>
 *   <li>verify and identify are idempotent: with {@code --retry} a call that got no answer (connection failed or
 *       reset) or a 502/504 from the load balancer is sent once more ({@code attempt} 2);</li>
 *   <li>an enrolment is never retried: its outcome is logged with the subject, so the database can be checked
 *       afterwards (acknowledged: there; unanswered: wholly there or wholly absent);</li>
 *   <li>feedback is idempotent: one that got no 200 or 404 is sent again after the window, until it does (at most 20
 *       tries 0.5 s apart), so the client knows exactly which verifications it labelled and how.</li>
 * </ul>
 * {@code java bench/FleetLoad.java URL LFW_DIR OUT.jsonl SECONDS (rate R | closed N) PREFIX [--retry] [--stop FILE]}:
 * the load ends after SECONDS, or as soon as FILE exists.
 */
public final class FleetLoad {

    record Pair(String body, boolean same) {
    }

    static final Pattern STRING = Pattern.compile("\"([a-z_]+)\":\"([^\"]*)\"");
    static final Pattern LITERAL = Pattern.compile("\"([a-z_]+)\":(true|false|-?[0-9.]+)");

    static HttpClient client;
    static URI base;
    static boolean retry;
    static PrintWriter out;
    static final AtomicLong CALLS = new AtomicLong();
    static final ConcurrentLinkedQueue<String[]> pendingFeedback = new ConcurrentLinkedQueue<>();

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: java bench/FleetLoad.java URL LFW_DIR OUT.jsonl SECONDS rate R|closed N PREFIX [--retry] [--stop FILE]");
            System.exit(2);
        }
        base = URI.create(args[0]);
        Path lfw = Path.of(args[1]);
        out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])), true);
        long seconds = Long.parseLong(args[3]);
        String mode = args[4];
        double n = Double.parseDouble(args[5]);
        String prefix = args[6];
        Path stop = null;
        for (int a = 7; a < args.length; a++) {
            if (args[a].equals("--retry")) {
                retry = true;
            } else if (args[a].equals("--stop")) {
                stop = Path.of(args[++a]);
            }
        }
        Path stopFile = stop;
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

        // persons of LFW with at least two photos, in name order: their first two photos
        List<Path[]> persons = new ArrayList<>();
        try (var dirs = Files.list(lfw)) {
            for (Path dir : dirs.sorted().toList()) {
                Path a = dir.resolve(dir.getFileName() + "_0001.jpg");
                Path b = dir.resolve(dir.getFileName() + "_0002.jpg");
                if (Files.exists(a) && Files.exists(b)) {
                    persons.add(new Path[] {a, b});
                }
                if (persons.size() == 24) {
                    break;
                }
            }
        }
        List<Pair> pairs = new ArrayList<>();
        List<String> probes = new ArrayList<>();
        List<String> faces = new ArrayList<>();
        for (int i = 0; i < persons.size(); i++) {
            String a = b64(persons.get(i)[0]);
            String b = b64(persons.get(i)[1]);
            String other = b64(persons.get((i + 1) % persons.size())[0]);
            pairs.add(new Pair("{\"image1\":\"" + a + "\",\"image2\":\"" + b + "\"}", true));
            pairs.add(new Pair("{\"image1\":\"" + a + "\",\"image2\":\"" + other + "\"}", false));
            probes.add("{\"image\":\"" + b + "\"}");
            faces.add("{\"image\":\"" + a + "\"}");
        }

        AtomicLong next = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Runnable task = () -> {
            long k = next.getAndIncrement();
            int slot = (int) (k % 5);
            int i = (int) (k / 5);
            try {
                if (slot <= 2) {
                    Pair p = pairs.get((int) ((k / 5 * 3 + slot) % pairs.size()));
                    verify(p, prefix + "-" + k);
                } else if (slot == 3) {
                    call("identify", "POST", "/v1/identify", probes.get(i % probes.size()), null, retry, "");
                } else {
                    String subject = prefix + "-" + k;
                    String[] put = call("enrol_subject", "PUT", "/v1/subjects/" + subject, "{\"metadata\":{}}", null, retry,
                            ",\"subject\":\"" + subject + "\"");
                    if (put[0].equals("200") || put[0].equals("201")) {
                        call("enrol_face", "POST", "/v1/subjects/" + subject + "/faces", faces.get(i % faces.size()), null,
                                false, ",\"subject\":\"" + subject + "\"");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        ExecutorService pool;
        if (mode.equals("rate")) {
            pool = Executors.newFixedThreadPool(48);
            long interval = (long) (1e9 / n);
            for (long at = System.nanoTime(); at < end && (stopFile == null || !Files.exists(stopFile)); at += interval) {
                sleepUntil(at);
                pool.execute(task);
            }
        } else {
            int clients = (int) n;
            pool = Executors.newFixedThreadPool(clients);
            for (int c = 0; c < clients; c++) {
                pool.execute(() -> {
                    while (System.nanoTime() < end && (stopFile == null || !Files.exists(stopFile))) {
                        task.run();
                    }
                });
            }
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 120, TimeUnit.SECONDS);
        // feedback that got no definite answer (no connection, 503 while Redis was away): again until it does
        for (int round = 0; round < 20 && !pendingFeedback.isEmpty(); round++) {
            Thread.sleep(500);
            List<String[]> again = new ArrayList<>(pendingFeedback);
            pendingFeedback.clear();
            for (String[] f : again) {
                feedback(f[0], Boolean.parseBoolean(f[1]), "feedback_retry");
            }
        }
        for (String[] f : pendingFeedback) {
            out.println("{\"op\":\"feedback_abandoned\",\"verification_id\":\"" + f[0] + "\"}");
        }
        out.close();
    }

    static void verify(Pair p, String stickyKey) throws InterruptedException {
        String[] answer = call("verify", "POST", "/v1/verify", p.body(), stickyKey, retry, ",\"same\":" + p.same());
        if (answer[0].equals("200")) {
            String id = field(answer[1], "verification_id");
            if (id != null) {
                feedback(id, p.same(), "feedback");
            }
        }
    }

    static void feedback(String id, boolean same, String op) throws InterruptedException {
        String[] answer = call(op, "POST", "/v1/feedback", "{\"verification_id\":\"" + id + "\",\"same\":" + same + "}", null,
                false, ",\"verification_id\":\"" + id + "\"");
        if (!answer[0].equals("200") && !answer[0].equals("404")) {
            pendingFeedback.add(new String[] {id, Boolean.toString(same)});
        }
    }

    /**
     * One call, logged: {@code {"op", "attempt", "sent_ms", "done_ms", "status" (0: no answer), "retry_after",
     * "call" (one number per call, kept by its retry), "code", "variant", "outcome", "counted", "face_id",
     * "subject_id", "error", ...extra}}. Returns status and body.
     */
    static String[] call(String op, String method, String path, String body, String stickyKey, boolean idempotent,
                         String extra) throws InterruptedException {
        long callId = CALLS.incrementAndGet();
        for (int attempt = 1; ; attempt++) {
            long sent = System.currentTimeMillis();
            int status = 0;
            String text = "";
            String error = null;
            boolean retryAfter = false;
            try {
                var request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body));
                if (stickyKey != null) {
                    request.header("X-Subject-Id", stickyKey);
                }
                HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                text = r.body();
                retryAfter = r.headers().firstValue("Retry-After").isPresent();
            } catch (IOException e) {
                error = (e.getClass().getSimpleName() + ": " + e.getMessage()).replaceAll("[\"\\\\]", "'");
            }
            long done = System.currentTimeMillis();
            var line = new StringBuilder(String.format(Locale.ROOT,
                    "{\"op\":\"%s\",\"call\":%d,\"attempt\":%d,\"sent_ms\":%d,\"done_ms\":%d,\"status\":%d,\"retry_after\":%b",
                    op, callId, attempt, sent, done, status, retryAfter));
            for (String key : List.of("code", "variant", "outcome", "subject_id", "verification_id")) {
                String value = field(text, key);
                if (value != null && !extra.contains("\"" + key + "\"")) {
                    line.append(",\"").append(key).append("\":\"").append(value).append('"');
                }
            }
            for (String key : List.of("counted", "face_id", "match")) {
                Matcher m = LITERAL.matcher(text);
                while (m.find()) {
                    if (m.group(1).equals(key)) {
                        line.append(",\"").append(key).append("\":").append(m.group(2));
                        break;
                    }
                }
            }
            if (error != null) {
                line.append(",\"error\":\"").append(error).append('"');
            }
            out.println(line.append(extra).append('}'));
            boolean unanswered = status == 0 || status == 502 || status == 504;
            if (!(idempotent && unanswered && attempt == 1)) {
                return new String[] {Integer.toString(status), text};
            }
        }
    }

    static String field(String json, String key) {
        Matcher m = STRING.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(key)) {
                return m.group(2);
            }
        }
        return null;
    }

    static String b64(Path p) throws IOException {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(p));
    }

    static void sleepUntil(long nanos) throws InterruptedException {
        long wait;
        while ((wait = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
