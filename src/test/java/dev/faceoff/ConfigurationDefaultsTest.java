package dev.faceoff;

import static dev.faceoff.testing.ConfigurationFiles.APPLICATION_YAML;
import static dev.faceoff.testing.ConfigurationFiles.DEPLOYMENT_YAML;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.testing.ConfigurationFiles;

/**
 * A default lives in one place: the {@code @ConfigurationProperties} record (faceoff's keys) or Spring Boot
 * (its own), as the configuration metadata states them; docs/operations.md documents faceoff's. So the jar's
 * application.yaml sets only what differs from those defaults, and the deployment configuration only what
 * differs from the jar's.
 */
class ConfigurationDefaultsTest {

    static final Map<String, JsonNode> METADATA = ConfigurationFiles.metadata();

    @Test
    void theMetadataHasTheDefaultsOfFaceoffAndOfSpringBoot() {
        assertThat(METADATA.get("faceoff.limits.deadline").asString()).isEqualTo("5s");
        assertThat(METADATA.get("server.port").asInt()).isEqualTo(8080);
    }

    @Test
    void applicationYamlSetsNothingToItsDefault() {
        var restated = new TreeSet<String>();
        ConfigurationFiles.yaml(APPLICATION_YAML).forEach((key, value) -> {
            if (ConfigurationFiles.same(value, METADATA.get(key))) {
                restated.add(key + ": " + value);
            }
        });
        assertThat(restated).as("%s entries that restate the default (docs/operations.md)", APPLICATION_YAML).isEmpty();
    }

    @Test
    void theDeploymentConfigurationSetsNothingTheJarAlreadyHas() {
        Map<String, String> jar = ConfigurationFiles.yaml(APPLICATION_YAML);
        var restated = new TreeSet<String>();
        ConfigurationFiles.yaml(DEPLOYMENT_YAML).forEach((key, value) -> {
            if (jar.containsKey(key) ? value.equals(jar.get(key)) || ConfigurationFiles.same(value, jar.get(key))
                    : ConfigurationFiles.same(value, METADATA.get(key))) {
                restated.add(key + ": " + value);
            }
        });
        assertThat(restated).as("%s entries the jar's configuration already sets", DEPLOYMENT_YAML).isEmpty();
    }

    @Test
    void sameMeansTheSameValueHoweverWritten() {
        var json = JsonMapper.builder().build();
        assertThat(ConfigurationFiles.same("1000ms", json.readTree("\"1s\""))).isTrue();
        assertThat(ConfigurationFiles.same("10240KB", json.readTree("\"10MB\""))).isTrue();
        assertThat(ConfigurationFiles.same("0.0010", json.readTree("0.001"))).isTrue();
        assertThat(ConfigurationFiles.same("TRUE", json.readTree("true"))).isTrue();
        assertThat(ConfigurationFiles.same("pad_when", json.readTree("\"PAD-WHEN\""))).isTrue();
        assertThat(ConfigurationFiles.same("health", json.readTree("[\"health\"]"))).isTrue();

        assertThat(ConfigurationFiles.same("2s", json.readTree("\"1s\""))).isFalse();
        assertThat(ConfigurationFiles.same("1", json.readTree("\"1s\""))).as("1 is 1 ms").isFalse();
        assertThat(ConfigurationFiles.same("health, prometheus", json.readTree("[\"health\"]"))).isFalse();
        assertThat(ConfigurationFiles.same("${FACEOFF_ADMIN_KEY:}", json.readTree("\"\""))).isFalse();
        assertThat(ConfigurationFiles.same("x", json.readTree("null"))).as("no default").isFalse();
    }
}
