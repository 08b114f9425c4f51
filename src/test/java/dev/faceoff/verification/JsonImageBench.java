package dev.faceoff.verification;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * What reading a JSON body's base64 photos costs, the way the service reads them against the way it read them
 * before (a String per image, decoded by the JDK): CPU time and bytes allocated on the reading thread, per body,
 * median over the runs after a warm-up. The bodies are bench/perf.py's (its sets under target/bench/sets).
 *
 * <pre>java @target/bench.args dev.faceoff.verification.JsonImageBench [RUNS] FILE.json...</pre>
 */
public final class JsonImageBench {

    /** The body as the service reads it now. */
    record Streamed(Base64Image image1, Base64Image image2) {
    }

    /** The body as it was read before: each image a String. */
    record AsStrings(String image1, String image2) {
    }

    private JsonImageBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 && args[0].matches("\\d+") ? Integer.parseInt(args[0]) : 40;
        var mapper = JsonMapper.builder().disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (String file : args) {
            if (file.matches("\\d+")) {
                continue;
            }
            byte[] body = Files.readAllBytes(Path.of(file));
            Map<String, List<long[]>> results = new java.util.LinkedHashMap<>();
            for (int run = 0; run < runs + 10; run++) {
                for (String way : List.of("strings", "streamed", "raw")) {
                    long bytes0 = threads.getCurrentThreadAllocatedBytes();
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    int decoded;
                    if (way.equals("strings")) {
                        var read = mapper.readValue(body, AsStrings.class);
                        decoded = old(read.image1()).length + old(read.image2()).length;
                    } else if (way.equals("raw")) {
                        decoded = raw(mapper, body);
                    } else {
                        var read = mapper.readValue(body, Streamed.class);
                        decoded = RequestForms.base64(read.image1(), "image1").length
                                + RequestForms.base64(read.image2(), "image2").length;
                    }
                    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                    long bytes = threads.getCurrentThreadAllocatedBytes() - bytes0;
                    if (run >= 10) {
                        results.computeIfAbsent(way, k -> new ArrayList<>()).add(new long[] {cpu, bytes, decoded});
                    }
                }
            }
            for (var e : results.entrySet()) {
                var cpus = e.getValue().stream().mapToLong(r -> r[0]).sorted().toArray();
                var allocated = e.getValue().stream().mapToLong(r -> r[1]).sorted().toArray();
                System.out.printf("%s (%.1f MB body): %-8s %.2f CPU-ms, %.1f MB allocated, %d bytes of images (median of %d)%n",
                        Path.of(file).getFileName(), body.length / 1e6, e.getKey(), cpus[cpus.length / 2] / 1e6,
                        allocated[allocated.length / 2] / 1e6, e.getValue().get(0)[2], cpus.length);
            }
        }
    }

    /** A sketch: the strings decoded from the body's bytes where the parser found them. */
    private static int raw(JsonMapper mapper, byte[] body) {
        int n = 0;
        try (var p = mapper.createParser(body)) {
            for (var t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == tools.jackson.core.JsonToken.VALUE_STRING) {
                    int start = (int) p.currentTokenLocation().getByteOffset() + 1;
                    int end = start;
                    while (body[end] != '"') {
                        end++;
                    }
                    n += Base64.getDecoder().decode(java.nio.ByteBuffer.wrap(body, start, end - start)).remaining();
                }
            }
        }
        return n;
    }

    /** The decode before Base64Image: strip, the data: prefix cut, the JDK's decoder. */
    private static byte[] old(String value) {
        String data = value.strip();
        if (data.startsWith("data:")) {
            data = data.substring(data.indexOf(',') + 1);
        }
        return Base64.getDecoder().decode(data);
    }
}
