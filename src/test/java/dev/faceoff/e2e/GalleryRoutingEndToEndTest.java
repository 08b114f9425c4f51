package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.faceoff.experiment.ShadowWork;
import dev.faceoff.testing.EndToEnd;
import dev.faceoff.testing.ModelStores;

/**
 * The gallery under an experiment (the A/B store's "losses": arcface 50 / cosface 50, sticky on X-Subject-Id, shadow
 * copy-softmax): a face is enrolled with every model routing may choose (the default model, both variants, the
 * shadow), so a verification against a subject finds templates whichever variant it is routed to; the sticky header
 * keeps a subject on one variant, and the request's {@code model} overrides; the shadow decides every verification
 * against a subject and every identification again with its own templates, and agrees (the same weights). Its own
 * context (its own property), so that the experiment's report of {@code ExperimentEndToEndTest} never counts these
 * requests.
 */
@EndToEnd(store = EndToEnd.Store.AB, properties = "faceoff.gallery.enrol-min-quality=0")
class GalleryRoutingEndToEndTest {

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void everyRoutableModelHasATemplateAndVerificationIsRoutedLikeVerify() throws Exception {
        var http = new Http(port);
        var photos = TestImages.samePerson();
        assertThat(http.send("PUT", "/v1/subjects/routed", null, Map.of()).status()).isEqualTo(201);
        var enrolled = http.postMultipart("/v1/subjects/routed/faces", Map.of("image", photos.a()), Map.of());
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        Set<String> models = new HashSet<>();
        enrolled.json().get("models").forEach(m -> models.add(m.asString()));
        assertThat(models).containsExactlyInAnyOrder(ModelStores.PRETRAINED, "copy-arcface", "copy-cosface", "copy-softmax");
        assertThat(http.get("/v1/subjects/routed").json().get("missing")).isEmpty();

        Set<String> variants = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            JsonNode answer = http.postMultipart("/v1/subjects/routed/verify", Map.of("image", photos.b()), Map.of()).json();
            assertThat(answer.get("match").asBoolean()).as(answer.toString()).isTrue();
            assertThat(answer.get("routing").get("experiment").asString()).isEqualTo("losses");
            variants.add(answer.get("routing").get("variant").asString());
        }
        assertThat(variants).as("weighted 50/50 over 12 requests").containsExactlyInAnyOrder("arcface", "cosface");

        Set<String> sticky = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            JsonNode answer = http.postMultipart("/v1/subjects/routed/verify", Map.of("image", photos.b()),
                    Map.of("X-Subject-Id", "routed")).json();
            assertThat(answer.get("routing").get("assignment").asString()).isEqualTo("sticky");
            sticky.add(answer.get("routing").get("variant").asString());
        }
        assertThat(sticky).hasSize(1);

        JsonNode override = http.postMultipart("/v1/subjects/routed/verify", Map.of("image", photos.b(), "model", "copy-softmax"),
                Map.of()).json();
        assertThat(override.get("model").get("name").asString()).isEqualTo("copy-softmax");
        assertThat(override.get("routing").get("assignment").asString()).isEqualTo("override");

        // identifications under the experiment too; then the shadow has decided each of them and each verification
        // routed by the experiment (16 above) again, with its own templates: all agree
        long routed = 16;
        for (int i = 0; i < 6; i++) {
            JsonNode answer = http.postMultipart("/v1/identify", Map.of("image", photos.b()), Map.of()).json();
            assertThat(answer.get("match").asBoolean()).as(answer.toString()).isTrue();
            assertThat(answer.get("subject_id").asString()).isEqualTo("routed");
            assertThat(answer.get("routing").get("experiment").asString()).isEqualTo("losses");
            routed++;
        }
        ShadowWork.awaitIdle(context);   // the shadow worker decides off the requests' threads
        long decided = 0;
        long agreed = 0;
        for (JsonNode variant : http.get("/v1/experiments/losses").json().get("variants")) {
            JsonNode shadow = variant.get("shadow").get(0);
            assertThat(shadow.get("model").asString()).isEqualTo("copy-softmax");
            assertThat(shadow.get("dropped").asLong()).isZero();
            decided += shadow.get("comparisons").asLong();
            agreed += shadow.get("agreements").asLong();
        }
        assertThat(decided).isEqualTo(routed);
        assertThat(agreed).isEqualTo(routed);
    }
}
