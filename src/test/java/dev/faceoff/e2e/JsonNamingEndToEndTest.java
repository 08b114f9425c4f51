package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import dev.faceoff.SharedData;
import dev.faceoff.testing.EndToEnd;

/**
 * One JSON naming policy: every key of every documented response — and every property of the OpenAPI
 * document's schemas — is snake_case. Walks real answers of a real server on real models and photos.
 */
@EndToEnd(store = EndToEnd.Store.AB)
class JsonNamingEndToEndTest {

    static Path lfw;

    @LocalServerPort
    int port;

    @BeforeAll
    static void data() {
        lfw = SharedData.lfw();
    }

    @Test
    void everyResponseKeyIsSnakeCase() throws Exception {
        var http = new Http(port);
        byte[] a = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] b = TestImages.read(lfw, "Aaron_Peirsol", 2);
        var answers = new ArrayList<Http.Response>();
        Http.Response verified = http.verify(a, b, Map.of());
        assertThat(verified.status()).isEqualTo(200);
        answers.add(verified);
        answers.add(http.postMultipart("/v1/embed", Map.of("image", a), Map.of()));
        answers.add(http.postJson("/v1/feedback", Map.of("verification_id", verified.json().get("verification_id").asString(),
                "same", true)));
        answers.add(http.get("/v1/models"));
        answers.add(http.get("/v1/experiments"));
        answers.add(http.get("/v1/experiments/losses"));
        answers.add(http.putJson("/v1/experiments/losses/weights", Map.of("weights", Map.of("arcface", 60)),
                Map.of("X-Admin-Key", "test-admin-key")));
        answers.add(http.verify(a, TestImages.noFace(), Map.of()));              // a problem body
        answers.add(http.get("/v1/experiments/none"));                           // another
        for (Http.Response r : answers) {
            assertThat(r.status()).as(r.body()).isIn(200, 404, 422);
            assertThat(camelKeys(r.json(), "$")).as("camelCase keys in %s", r.body()).isEmpty();
        }
        assertThat(answers.get(2).json().has("verification_id")).as("the feedback request was read as snake_case").isTrue();
    }

    @Test
    void everySchemaPropertyOfTheOpenApiDocumentIsSnakeCase() throws Exception {
        JsonNode schemas = new Http(port).get("/v3/api-docs").json().path("components").path("schemas");
        assertThat(schemas.size()).isPositive();
        var camel = new ArrayList<String>();
        for (var schema : schemas.properties()) {
            for (var property : schema.getValue().path("properties").properties()) {
                if (!property.getKey().equals(property.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    camel.add(schema.getKey() + "." + property.getKey());
                }
            }
        }
        assertThat(camel).isEmpty();
    }

    /** Paths of keys with an upper-case letter. */
    static List<String> camelKeys(JsonNode node, String path) {
        var found = new ArrayList<String>();
        if (node.isObject()) {
            for (var field : node.properties()) {
                if (!field.getKey().equals(field.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    found.add(path + "." + field.getKey());
                }
                found.addAll(camelKeys(field.getValue(), path + "." + field.getKey()));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                found.addAll(camelKeys(node.get(i), path + "[" + i + "]"));
            }
        }
        return found;
    }

    @Test
    void theCheckCatchesCamelCase() {
        JsonNode camel = Http.JSON.readTree("{\"ok\": {\"fine_key\": [{\"notFine\": 1}]}}");
        assertThat(camelKeys(camel, "$")).containsExactly("$.ok.fine_key[0].notFine");
    }
}
