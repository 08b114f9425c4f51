package dev.faceoff.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.faceoff.FaceoffApplication;
import dev.faceoff.testing.ModelStores;

/**
 * Start-up validation of faceoff.experiments and faceoff.feedback on the real model store: each mistake
 * stops start-up with its property path; the same keys land on the same variants after a restart.
 */
class ExperimentConfigurationTest {

    static Path store;

    @BeforeAll
    static void store() throws Exception {
        store = ModelStores.shared();
    }

    static ConfigurableApplicationContext start(List<String> properties) {
        // as command-line arguments: above application.yaml, like a deployment's configuration
        return new SpringApplicationBuilder(FaceoffApplication.class).web(WebApplicationType.NONE).logStartupInfo(false)
                .run(properties.stream().map(p -> "--" + p).toArray(String[]::new));
    }

    /** The A/B properties with some replaced or added. */
    static List<String> with(String... overrides) {
        var p = new java.util.LinkedHashMap<String, String>();
        for (String kv : ModelStores.abProperties(store)) {
            p.put(kv.substring(0, kv.indexOf('=')), kv);
        }
        for (String kv : overrides) {
            p.put(kv.substring(0, kv.indexOf('=')), kv);
        }
        return new ArrayList<>(p.values());
    }

    static String failure(List<String> properties) {
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> start(properties).close());
        assertThat(e).as("start-up should fail").isNotNull();
        var messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    @Test
    void anUnknownVariantModelStopsStartUp() {
        assertThat(failure(with("faceoff.experiments.definitions.losses.variants.cosface.model=cosface-mfn64")))
                .contains("faceoff.experiments.definitions.losses.variants.cosface.model: no embedding model 'cosface-mfn64'")
                .contains("copy-arcface");
    }

    @Test
    void aWeightThatIsNotPositiveStopsStartUp() {
        assertThat(failure(with("faceoff.experiments.definitions.losses.variants.arcface.weight=0")))
                .contains("faceoff.experiments").contains("definitions[losses].variants[arcface].weight")
                .contains("rejected value [0.0]").contains("must be greater than 0");
    }

    @Test
    void aShadowThatIsAlsoAVariantStopsStartUp() {
        assertThat(failure(with("faceoff.experiments.definitions.losses.shadow=copy-softmax,copy-cosface")))
                .contains("faceoff.experiments.definitions.losses.shadow: 'copy-cosface' is also a variant's model");
    }

    @Test
    void anUnknownShadowAndAnUnknownDefaultExperimentAreBothNamed() {
        assertThat(failure(with("faceoff.experiments.definitions.losses.shadow=softmax-mfn64",
                "faceoff.experiments.default-experiment=lossess")))
                .contains("faceoff.experiments.definitions.losses.shadow: no embedding model 'softmax-mfn64'")
                .contains("faceoff.experiments.default-experiment: no experiment 'lossess' (defined: [losses])");
    }

    @Test
    void aStickyKeyMustBeAnXHeaderOrAField() {
        assertThat(failure(with("faceoff.experiments.definitions.losses.sticky-key=cookie:session")))
                .contains("definitions[losses].stickyKey").contains("rejected value [cookie:session]")
                .contains("must be header:X-Name (an X- header) or field:name");
    }

    @Test
    void anUnknownFeedbackStoreStopsStartUp() {
        assertThat(failure(with("faceoff.feedback.store=postgres"))).contains("faceoff.feedback.store");
    }

    @Test
    void theSameKeysLandOnTheSameVariantsAfterARestart() {
        List<String> first;
        try (var context = start(ModelStores.abProperties(store))) {
            first = assign(context.getBean(Router.class));
        }
        List<String> second;
        try (var context = start(ModelStores.abProperties(store))) {
            Router router = context.getBean(Router.class);
            second = assign(router);
            // an explicit model overrides; no key: a weighted pick; embeddings never go through an experiment
            Assignment override = router.assign("copy-softmax", new RequestKeys(java.util.Map.of("x-subject-id", "s"), null));
            assertThat(override.how()).isEqualTo(Assignment.How.OVERRIDE);
            assertThat(override.model().name()).isEqualTo("copy-softmax");
            assertThat(override.experiment()).isEqualTo(Assignment.NONE);
            assertThat(router.assign(null, RequestKeys.NONE).how()).isEqualTo(Assignment.How.WEIGHTED);
            assertThat(router.assignWithoutExperiment(null).how()).isEqualTo(Assignment.How.DEFAULT);
            assertThat(router.assignWithoutExperiment(null).model().name()).isEqualTo(ModelStores.PRETRAINED);
            assertThatThrownBy(() -> router.assign("nope", RequestKeys.NONE)).hasMessageContaining("no embedding model 'nope'");
        }
        assertThat(second).isEqualTo(first);
        long arcface = first.stream().filter("arcface"::equals).count();
        System.out.printf("stickiness: 2000 keys, the same variant for every key in both contexts; arcface %d, cosface %d%n",
                arcface, first.size() - arcface);
        assertThat(arcface).isBetween(850L, 1150L);
    }

    private static List<String> assign(Router router) {
        var variants = new ArrayList<String>();
        for (int i = 0; i < 2000; i++) {
            var keys = new RequestKeys(java.util.Map.of("x-subject-id", "subject-" + i), java.util.Map.of());
            Assignment a = router.assign(null, keys);
            assertThat(a.how()).isEqualTo(Assignment.How.STICKY);
            assertThat(a.experiment()).isEqualTo("losses");
            assertThat(a.model().name()).isEqualTo(a.variant().equals("arcface") ? "copy-arcface" : "copy-cosface");
            variants.add(a.variant());
        }
        return variants;
    }
}
