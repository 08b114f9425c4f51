package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * {@link HostileInputs} against a real faceoff process: {@code fuzz.cases} requests (1,000 in the test run;
 * {@code bench/fuzz.sh} runs 10,000), each answered below 500 with problem+json for every error, the
 * process alive throughout, no {@code hs_err} file, and its resident memory after the run within 5 % of
 * its warm baseline, the most it held over the second half of 600 warm-up cases (a fixed, pre-touched heap,
 * so what moves is native memory: pixels, tensors).
 * Prints the outcome counts per status and code; {@code fuzz.report} names a file to write them to.
 */
class FuzzTest {

    static final int CASES = Integer.getInteger("fuzz.cases", 1000);
    static final long SEED = Long.getLong("fuzz.seed", 20261203L);
    static final int WARM_UP = 600;

    @Test
    void hostileInputsGetA4xxNeverA5xxACrashOrALeak(@TempDir Path dir) throws Exception {
        var photos = TestImages.samePerson();
        byte[] a = photos.a();
        byte[] b = photos.b();
        int port = RealProcess.freePort();
        Process process = RealProcess.start(dir, port, List.of("-Xms384m", "-Xmx384m", "-XX:+AlwaysPreTouch"), List.of());
        try {
            RealProcess.awaitReady(process, port);
            var http = new Http(port);
            assertThat(http.send("PUT", "/v1/subjects/" + HostileInputs.SUBJECT, null, Map.of()).status()).isEqualTo(201);
            // warm-up: every family once or more, on other cases than the measured ones
            // the warm baseline: the most the process held over the second half of the warm-up (resident
            // memory moves by a few per cent from one sample to the next as malloc keeps or returns pages)
            var warm = new HostileInputs(SEED + 1, a, b);
            long baseline = 0;
            for (int i = 0; i < WARM_UP; i++) {
                send(http, warm.next());
                if (i >= WARM_UP / 2 && i % 25 == 0) {
                    baseline = Math.max(baseline, RealProcess.rss(process));
                }
            }
            Thread.sleep(1000);
            baseline = Math.max(baseline, RealProcess.rss(process));

            var inputs = new HostileInputs(SEED, a, b);
            Map<String, Integer> outcomes = new TreeMap<>();
            Map<String, Map<String, Integer>> byFamily = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            List<Long> curve = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < CASES; i++) {
                var c = inputs.next();
                var r = send(http, c);
                String outcome = r.outcome();
                outcomes.merge(outcome, 1, Integer::sum);
                byFamily.computeIfAbsent(c.family(), f -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
                if (r.status() >= 500 || r.status() < 0) {
                    failures.add("case " + i + " (" + c.family() + " " + c.path() + " " + c.contentType() + "): " + outcome
                            + " " + r.body());
                } else if (r.status() >= 400 && !r.contentType().startsWith("application/problem+json")) {
                    failures.add("case " + i + " (" + c.family() + "): " + r.status() + " as " + r.contentType());
                }
                if (!process.isAlive()) {
                    failures.add("case " + i + " (" + c.family() + "): the process died");
                    break;
                }
                if ((i + 1) % Math.max(1, CASES / 10) == 0) {
                    curve.add(RealProcess.rss(process));
                    System.out.printf("fuzz: %d of %d cases, %d failures, resident %.1f MiB%n", i + 1, CASES,
                            failures.size(), curve.get(curve.size() - 1) / 1048576.0);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(2000);
            long after = process.isAlive() ? RealProcess.rss(process) : -1;
            String report = report(outcomes, byFamily, baseline, after, seconds, curve);
            System.out.println(report);
            String file = System.getProperty("fuzz.report");
            if (file != null && !file.isBlank()) {
                Files.writeString(Path.of(file), report);
            }

            assertThat(failures).as("5xx, transport errors, non-problem errors or a dead process").isEmpty();
            assertThat(process.isAlive()).isTrue();
            assertThat((double) after).as("resident memory after the run vs the warm baseline %d", baseline)
                    .isLessThanOrEqualTo(baseline * 1.05);
            assertThat(outcomes.keySet()).as("the fuzzer reached both success and errors").anyMatch(k -> k.startsWith("200"))
                    .anyMatch(k -> k.startsWith("4"));
        } finally {
            process.destroy();
            process.waitFor();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("hs_err"));
            }
        }
    }

    record Answer(int status, String contentType, String body, String code) {
        String outcome() {
            return status < 0 ? "transport error" : status + (code == null ? "" : " " + code);
        }
    }

    private static Answer send(Http http, HostileInputs.Case c) throws InterruptedException {
        try {
            Http.Response r = http.request(c.method(), c.path(), c.contentType(), c.body());
            String code = r.contentType().startsWith("application/problem+json") ? r.json().path("code").asString(null) : null;
            String body = r.body().length() > 300 ? r.body().substring(0, 300) : r.body();
            return new Answer(r.status(), r.contentType(), body, code);
        } catch (java.io.IOException e) {
            return new Answer(-1, "", e.toString(), null);
        }
    }

    private static String report(Map<String, Integer> outcomes, Map<String, Map<String, Integer>> byFamily,
                                 long baseline, long after, double seconds, List<Long> curve) {
        var out = new StringBuilder();
        out.append(String.format("# Fuzz: %d hostile requests (seed %d) in %.0f s%n%n", CASES, SEED, seconds));
        out.append("| status and code | requests |\n|---|---|\n");
        outcomes.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        out.append("\n| family | outcomes |\n|---|---|\n");
        byFamily.forEach((family, counts) -> out.append("| ").append(family).append(" | ")
                .append(counts.toString().replaceAll("[{}]", "")).append(" |\n"));
        out.append(String.format("%nResident memory: warm baseline %.1f MiB, after the run %.1f MiB (%+.1f %%).%n",
                baseline / 1048576.0, after / 1048576.0, 100.0 * (after - baseline) / baseline));
        out.append("Resident memory at each tenth of the run (MiB): ")
                .append(curve.stream().map(b -> String.format("%.0f", b / 1048576.0)).toList()).append("\n");
        return out.toString();
    }
}
