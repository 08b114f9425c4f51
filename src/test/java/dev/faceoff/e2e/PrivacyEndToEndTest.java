package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.faceoff.testing.EndToEnd;
import dev.faceoff.testing.ModelStores;

/**
 * Images and embeddings are never logged or written: with every faceoff and Spring web logger at DEBUG, a
 * verification (multipart and JSON), an embedding, enrolments, an identification and a verification against a
 * subject (multipart and JSON) leave none of the images' bytes, their base64 or the embedding's values (a template's,
 * the same model's) in the log, no file in the multipart folder, and every log line of a request names
 * its request id.
 */
@EndToEnd(properties = {
        "logging.level.dev.faceoff=DEBUG", "logging.level.org.springframework.web=DEBUG",
        "logging.level.org.apache.tomcat.util.http=DEBUG"})
@ExtendWith(OutputCaptureExtension.class)
class PrivacyEndToEndTest {

    @TempDir
    static Path uploads;

    @LocalServerPort
    int port;

    static byte[] a;
    static byte[] b;

    @BeforeAll
    static void data() throws Exception {
        var photos = TestImages.samePerson();
        a = photos.a();
        b = photos.b();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.servlet.multipart.location", () -> uploads.toString());
        registry.add("faceoff.models.include", () -> ModelStores.PRETRAINED);
        registry.add("faceoff.models.dir", () -> {
            try {
                return ModelStores.identifying(Files.createTempDirectory("faceoff-privacy-models")).toString();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void noImageBytesBase64OrEmbeddingReachTheLogsOrTheDisk(CapturedOutput output) throws Exception {
        var http = new Http(port);
        http.get("/actuator/health");   // the first request initialises the dispatcher servlet, outside any request's context
        var watcher = FileSystems.getDefault().newWatchService();
        uploads.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
        int before = output.getAll().length();

        var multipart = http.verify(a, b, Map.of());
        assertThat(multipart.status()).as(multipart.body()).isEqualTo(200);
        String requestId = multipart.headers().firstValue("X-Request-Id").orElseThrow();
        var b64 = Base64.getEncoder();
        var json = http.postJson("/v1/verify", Map.of("image1", b64.encodeToString(a), "image2", b64.encodeToString(b)));
        assertThat(json.status()).isEqualTo(200);
        var embedded = http.postJson("/v1/embed", Map.of("image", b64.encodeToString(a)));
        assertThat(embedded.status()).isEqualTo(200);
        // the gallery: a subject enrolled with both photos, identified and verified against
        assertThat(http.send("PUT", "/v1/subjects/privacy", "{\"metadata\": {\"k\": \"v\"}}", Map.of()).status()).isEqualTo(201);
        var enrolled = http.postMultipart("/v1/subjects/privacy/faces", Map.of("image", a, "min_quality", "0"), Map.of());
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        assertThat(http.postJson("/v1/subjects/privacy/faces", Map.of("image", b64.encodeToString(b), "min_quality", 0))
                .status()).isEqualTo(201);
        var identified = http.postMultipart("/v1/identify", Map.of("image", b), Map.of());
        assertThat(identified.status()).as(identified.body()).isEqualTo(200);
        assertThat(http.postJson("/v1/identify", Map.of("image", b64.encodeToString(a))).status()).isEqualTo(200);
        assertThat(http.postMultipart("/v1/subjects/privacy/verify", Map.of("image", b), Map.of()).status()).isEqualTo(200);
        assertThat(http.postJson("/v1/subjects/privacy/verify", Map.of("image", b64.encodeToString(a))).status()).isEqualTo(200);
        var bad = http.postJson("/v1/verify", Map.of("image1", b64.encodeToString(a), "image2", "bm90IGFuIGltYWdl"));
        assertThat(bad.status()).isEqualTo(415);

        String log = output.getAll().substring(before);
        assertThat(log).as("the DEBUG loggers wrote something").contains("/v1/verify").contains("/v1/identify");
        // base64 of the images, at every offset class (a 16-character window of each third of the file)
        for (byte[] image : List.of(a, b)) {
            String s = b64.encodeToString(image);
            for (int at = 0; at + 16 <= s.length(); at += s.length() / 3 - 1) {
                assertThat(log).doesNotContain(s.substring(at, at + 16));
            }
            // raw bytes, as a Latin-1 string would print them (the JPEG's quantisation tables)
            String raw = new String(image, 20, 24, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(log).doesNotContain(raw);
        }
        // the embedding's values, as Java and JSON print them
        var values = embedded.json().get("embedding");
        for (int i = 0; i < 8; i++) {
            double v = values.get(i).asDouble();
            assertThat(log).doesNotContain(Double.toString(v)).doesNotContain(Float.toString((float) v));
        }
        // no multipart part was written to disk
        var key = watcher.poll(200, TimeUnit.MILLISECONDS);
        assertThat(key == null ? List.of() : key.pollEvents()).as("files created in the multipart folder").isEmpty();
        try (var files = Files.list(uploads)) {
            assertThat(files.toList()).isEmpty();
        }
        // every line the request threads logged names a request id; the first verification's lines its own
        List<String> requestLines = new ArrayList<>();
        for (String line : log.split("\\R")) {
            if (line.contains("-exec-")) {
                requestLines.add(line);
            }
        }
        assertThat(requestLines).isNotEmpty();
        assertThat(requestLines).allSatisfy(line -> assertThat(line).containsPattern("\\[[0-9a-f-]{36} [^\\]]*\\] "));
        assertThat(log).contains("[" + requestId + " ");
    }
}
