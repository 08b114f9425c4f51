package dev.faceoff.experiment;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.experiments.*}: A/B tests between embedding models. Checked twice at start-up: here
 * (shapes, positive weights) and by {@link Experiments} against the model store (model names, shadows,
 * the default experiment).
 *
 * @param defaultExperiment the experiment that routes requests naming no model; empty: the default model
 * @param sharedWeights {@code none}: a weight change holds on the replica that took it; {@code redis}: it reaches
 *                      every replica through Redis at {@code spring.data.redis.host}/{@code port} ({@link SharedWeights})
 * @param shadowQueueCapacity shadow comparisons waiting for the shadow worker; more are dropped and counted
 * @param definitions experiments by name
 */
@Validated
@ConfigurationProperties("faceoff.experiments")
public record ExperimentProperties(
        @NotNull @DefaultValue("") String defaultExperiment,
        @NotNull @DefaultValue("none") Sharing sharedWeights,
        @Min(1) @DefaultValue("256") int shadowQueueCapacity,
        @NotNull @DefaultValue Map<String, @Valid Definition> definitions) {

    public ExperimentProperties {
        definitions = Map.copyOf(definitions);
    }

    /** Where weight changes are shared. */
    public enum Sharing { NONE, REDIS }

    /**
     * One experiment.
     *
     * @param active false: the experiment routes nothing (the default model answers) but keeps its report
     * @param stickyKey {@code header:X-Name} or {@code field:name}: requests carrying it always land on the same
     *                  variant; absent from a request (or not configured): a weighted random pick
     * @param variants variants by name, in report order (the first is the baseline of the significance tests)
     * @param shadow models that also embed every routed request's faces, off the request path, for agreement
     */
    public record Definition(
            @DefaultValue("true") boolean active,
            @Pattern(regexp = "header:[Xx]-[A-Za-z0-9-]+|field:[A-Za-z0-9_]+",
                    message = "must be header:X-Name (an X- header) or field:name") String stickyKey,
            @NotEmpty Map<String, @Valid Variant> variants,
            @NotNull @DefaultValue List<@NotBlank String> shadow) {

        public Definition {
            // keep the configured order: the first variant is the baseline of the report's tests
            variants = variants == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(variants));
            shadow = List.copyOf(shadow);
        }
    }

    /** A variant: which embedding model answers, and its share of traffic relative to the others. */
    public record Variant(@NotBlank String model, @Positive double weight) {
    }
}
