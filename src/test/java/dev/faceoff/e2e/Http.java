package dev.faceoff.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The end-to-end tests' one real HTTP client: JSON, multipart and raw requests against a faceoff on loopback,
 * HTTP/1.1 (what faceoff serves), every request limited to {@link #TIMEOUT}. Transport errors are thrown
 * ({@link IOException}): a test that expects them (a server going away) catches them.
 */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    record Response(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private final String base;

    Http(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    Response get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, Map.of());
    }

    Response postJson(String path, Object body) throws IOException, InterruptedException {
        return send("POST", path, JSON.writeValueAsString(body), Map.of());
    }

    Response putJson(String path, Object body, Map<String, String> headers) throws IOException, InterruptedException {
        return send("PUT", path, JSON.writeValueAsString(body), headers);
    }

    /** Any method; {@code json}, when not null, is the body (Content-Type application/json). */
    Response send(String method, String path, String json, Map<String, String> headers)
            throws IOException, InterruptedException {
        var builder = request(path).method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            builder.header("Content-Type", "application/json");
        }
        headers.forEach(builder::header);
        return send(builder.build());
    }

    /** A POST of {@code body} as it is; an empty {@code contentType} sends no Content-Type header. */
    Response post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return request("POST", path, contentType, body);
    }

    /** Any method with {@code body} as it is; an empty {@code contentType} sends no Content-Type header. */
    Response request(String method, String path, String contentType, byte[] body) throws IOException, InterruptedException {
        var builder = request(path).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (!contentType.isEmpty()) {
            builder.header("Content-Type", contentType);
        }
        return send(builder.build());
    }

    /** Multipart form: byte[] values become file parts, strings plain fields. */
    Response postMultipart(String path, Map<String, Object> parts, Map<String, String> headers)
            throws IOException, InterruptedException {
        return postParts(path, new java.util.ArrayList<>(parts.entrySet()), headers);
    }

    /** Multipart form with parts in order, a name possibly repeated (the candidates of /v1/compare). */
    Response postParts(String path, java.util.List<Map.Entry<String, Object>> parts, Map<String, String> headers)
            throws IOException, InterruptedException {
        String boundary = "----faceoff" + UUID.randomUUID();
        var body = new ByteArrayOutputStream();
        for (var part : parts) {
            body.writeBytes(("--" + boundary + "\r\n").getBytes(StandardCharsets.US_ASCII));
            if (part.getValue() instanceof byte[] bytes) {
                body.writeBytes(("Content-Disposition: form-data; name=\"" + part.getKey() + "\"; filename=\""
                        + part.getKey() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                body.writeBytes(bytes);
            } else {
                body.writeBytes(("Content-Disposition: form-data; name=\"" + part.getKey() + "\"\r\n\r\n"
                        + part.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        var builder = request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        headers.forEach(builder::header);
        return send(builder.build());
    }

    Response verify(byte[] image1, byte[] image2, Map<String, String> fields) throws IOException, InterruptedException {
        var parts = new LinkedHashMap<String, Object>();
        parts.put("image1", image1);
        parts.put("image2", image2);
        parts.putAll(fields);
        return postMultipart("/v1/verify", parts, Map.of());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body(),
                response.headers());
    }
}
