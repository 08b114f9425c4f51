package dev.faceoff.deploy;

import static dev.faceoff.deploy.RenderedManifests.ROOT;
import static dev.faceoff.deploy.RenderedManifests.YAML;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The built image next to a Prometheus container configured with the repository's scrape config and rules (the same
 * files docker-compose.yml mounts): Prometheus must scrape faceoff, see its models, and evaluate every rule group
 * without error.
 *
 * <p>Needs a Docker engine and is skipped ("disabled") without one, as on the project's build machines, which have
 * only the docker client. The image is {@code -Dfaceoff.image=<name>} (or {@code FACEOFF_IMAGE}) when given, e.g. after
 * {@code docker build -f docker/Dockerfile -t faceoff:cpu .}; otherwise the test builds docker/Dockerfile (CPU
 * flavour) itself, which takes minutes.
 */
@Testcontainers(disabledWithoutDocker = true)
class ImageScrapeTest {

    private static final String PROMETHEUS_IMAGE = "prom/prometheus:v2.55.1";
    private static final Duration SCRAPE_DEADLINE = Duration.ofSeconds(90); // the scrape interval is 15 s
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void prometheusScrapesTheImageAndEvaluatesTheRules() throws Exception {
        try (Network network = Network.newNetwork();
                GenericContainer<?> faceoff = faceoff(network);
                GenericContainer<?> prometheus = prometheus(network)) {
            faceoff.start();
            prometheus.start();
            String api = "http://" + prometheus.getHost() + ":" + prometheus.getMappedPort(9090) + "/api/v1/";

            JsonNode up = poll(api, "up{job=\"faceoff\"} == 1");
            assertThat(up.at("/0/metric/instance").asText()).isEqualTo("faceoff:8080");
            assertThat(poll(api, "faceoff_model_info{task=\"embedding\"}")).isNotEmpty();

            JsonNode groups = get(api + "rules").at("/data/groups");
            assertThat(groups).isNotEmpty();
            for (JsonNode group : groups) {
                for (JsonNode rule : group.get("rules")) {
                    assertThat(rule.get("health").asText()).as("%s: %s", rule.get("name"), rule.path("lastError"))
                            .isIn("ok", "unknown");
                }
            }
        }
    }

    private static GenericContainer<?> faceoff(Network network) {
        String image = System.getProperty("faceoff.image", System.getenv("FACEOFF_IMAGE"));
        GenericContainer<?> container = image != null
                ? new GenericContainer<>(DockerImageName.parse(image))
                : new GenericContainer<>(new ImageFromDockerfile("faceoff-scrape-test", true)
                        .withFileFromPath("pom.xml", ROOT.resolve("pom.xml"))
                        .withFileFromPath("src/main", ROOT.resolve("src/main"))
                        .withFileFromPath("models", ROOT.resolve("models"))
                        .withFileFromPath("docker/Dockerfile", ROOT.resolve("docker/Dockerfile"))
                        .withDockerfilePath("docker/Dockerfile")
                        .withBuildArg("FLAVOUR", "cpu"));
        return container
                .withNetwork(network)
                .withNetworkAliases("faceoff")
                .withExposedPorts(8080)
                .withEnv("FACEOFF_RUNTIME_PROVIDER", "cpu")
                // the deployment configuration, as JSON in the environment: nothing can be copied into a
                // read-only root filesystem, and a bind mount would not reach a remote Docker engine
                .withEnv("SPRING_APPLICATION_JSON", deploymentConfigAsJson())
                // as deployed: read-only root filesystem, /tmp writable and executable for the native libraries
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
                .withTmpFs(Map.of("/tmp", "rw,exec,size=1g"))
                .waitingFor(Wait.forHttp("/actuator/health/readiness").forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(5)));
    }

    private static String deploymentConfigAsJson() {
        try {
            return JSON.writeValueAsString(YAML.readTree(ROOT.resolve("k8s/base/config/application.yaml").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GenericContainer<?> prometheus(Network network) {
        return new GenericContainer<>(DockerImageName.parse(PROMETHEUS_IMAGE))
                .withNetwork(network)
                .withExposedPorts(9090)
                .withCopyFileToContainer(MountableFile.forHostPath(ROOT.resolve("observability/prometheus")), "/etc/prometheus")
                .waitingFor(Wait.forHttp("/-/ready").forStatusCode(200));
    }

    /** Queries until the result is not empty, or fails after {@link #SCRAPE_DEADLINE}. */
    private static JsonNode poll(String api, String query) throws Exception {
        Instant deadline = Instant.now().plus(SCRAPE_DEADLINE);
        while (true) {
            JsonNode result = get(api + "query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).at("/data/result");
            if (!result.isEmpty() || Instant.now().isAfter(deadline)) {
                assertThat(result).as("result of %s", query).isNotEmpty();
                return result;
            }
            Thread.sleep(2_000);
        }
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
