package dev.faceoff.deploy;

import static dev.faceoff.deploy.RenderedManifests.ROOT;
import static dev.faceoff.deploy.RenderedManifests.YAML;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.faceoff.image.ImageProperties;
import dev.faceoff.testing.ConfigurationFiles;

/**
 * Static checks of the files no test here can run: the Grafana dashboard, docker-compose.yml and docker/Dockerfile.
 * Running them for real is observability/check-prometheus.sh (the dashboard's queries on a live Prometheus) and
 * {@link ImageScrapeTest} (the image, where a Docker engine exists).
 */
class DeploymentFilesTest {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)");
    private static final Pattern RECORDED_SERIES = Pattern.compile("\\b([a-z_]+:[a-z0-9_:]+)\\{");
    private static final Set<String> GRAFANA_BUILT_INS = Set.of("__rate_interval", "__range", "__interval");
    private static final Pattern RATE = Pattern.compile("\\b(?:rate|increase)\\(");
    /** What must come right before a rate() or increase(): a sum, by anything but the replica. */
    private static final Pattern SUMMED = Pattern.compile("sum\\s*(?:by\\s*\\(([^)]*)\\)\\s*)?\\(\\s*$");

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(ROOT.resolve("observability/grafana/dashboards/faceoff.json").toFile());
    }

    private static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    @Test
    void dashboardPanelsAreWellFormedAndDoNotOverlap() throws IOException {
        List<JsonNode> panels = list(dashboard().get("panels"));
        assertThat(panels.stream().map(panel -> panel.get("id").asInt()).collect(Collectors.toSet())).hasSize(panels.size());

        List<String> problems = new ArrayList<>();
        for (int i = 0; i < panels.size(); i++) {
            JsonNode panel = panels.get(i);
            String title = panel.get("title").asText();
            JsonNode grid = panel.get("gridPos");
            if (grid.get("x").asInt() + grid.get("w").asInt() > 24) {
                problems.add(title + ": wider than the 24-column grid");
            }
            for (int j = 0; j < i; j++) {
                if (overlap(grid, panels.get(j).get("gridPos"))) {
                    problems.add(title + ": overlaps " + panels.get(j).get("title").asText());
                }
            }
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            if (!panel.at("/datasource/uid").asText().equals("${datasource}")) {
                problems.add(title + ": datasource is not the $datasource variable");
            }
            if (panel.path("description").asText().isBlank()) {
                problems.add(title + ": no description");
            }
            List<JsonNode> targets = list(panel.path("targets"));
            if (targets.isEmpty()) {
                problems.add(title + ": no query");
            }
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : targets) {
                if (target.path("expr").asText().isBlank() || !refIds.add(target.path("refId").asText())) {
                    problems.add(title + ": a query without expr or with a duplicate refId");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /**
     * Replicas are scraped one by one (an instance each): a panel shows the fleet only where every rate() and
     * increase() is summed at once, and not by instance. bench/fleet.sh checks the totals on a Prometheus scraping
     * three replicas against each replica's own counters.
     */
    @Test
    void everyRateOnTheDashboardIsSummedOverTheReplicas() throws IOException {
        List<String> problems = new ArrayList<>();
        int rates = 0;
        for (JsonNode panel : panels(dashboard().get("panels"))) {
            for (JsonNode target : list(panel.path("targets"))) {
                String expr = target.path("expr").asText();
                Matcher rate = RATE.matcher(expr);
                while (rate.find()) {
                    rates++;
                    Matcher sum = SUMMED.matcher(expr.substring(0, rate.start()));
                    if (!sum.find()) {
                        problems.add(panel.get("title").asText() + ": a rate not summed over the replicas: " + expr);
                    } else if (sum.group(1) != null && sum.group(1).matches(".*\\binstance\\b.*")) {
                        problems.add(panel.get("title").asText() + ": a rate summed by instance: " + expr);
                    }
                }
            }
        }
        assertThat(rates).as("rate() and increase() on the dashboard").isGreaterThan(20);
        assertThat(problems).isEmpty();
    }

    /** Every panel, those inside a collapsed row too. */
    private static List<JsonNode> panels(JsonNode array) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : list(array)) {
            all.add(panel);
            all.addAll(panels(panel.path("panels")));
        }
        return all;
    }

    private static boolean overlap(JsonNode a, JsonNode b) {
        return a.get("x").asInt() < b.get("x").asInt() + b.get("w").asInt()
                && b.get("x").asInt() < a.get("x").asInt() + a.get("w").asInt()
                && a.get("y").asInt() < b.get("y").asInt() + b.get("h").asInt()
                && b.get("y").asInt() < a.get("y").asInt() + a.get("h").asInt();
    }

    @Test
    void dashboardUsesOnlyDefinedVariablesAndRecordedSeries() throws IOException {
        JsonNode dashboard = dashboard();
        Set<String> defined = list(dashboard.at("/templating/list")).stream()
                .map(variable -> variable.get("name").asText()).collect(Collectors.toSet());
        String text = dashboard.toString();

        Set<String> used = new LinkedHashSet<>();
        Matcher variables = VARIABLE.matcher(text);
        while (variables.find()) {
            used.add(variables.group(1));
        }
        used.removeAll(GRAFANA_BUILT_INS);
        assertThat(defined).containsAll(used);

        JsonNode rules = YAML.readTree(ROOT.resolve("observability/prometheus/rules/faceoff.rules.yml").toFile());
        Set<String> recorded = list(rules.get("groups")).stream().flatMap(group -> list(group.get("rules")).stream())
                .filter(rule -> rule.has("record")).map(rule -> rule.get("record").asText()).collect(Collectors.toSet());
        Matcher series = RECORDED_SERIES.matcher(text);
        Set<String> referenced = new HashSet<>();
        while (series.find()) {
            referenced.add(series.group(1));
        }
        assertThat(referenced).isNotEmpty();
        assertThat(recorded).as("recording rules the dashboard reads").containsAll(referenced);
    }

    @Test
    void composeMountsExistingFilesWhereTheServicesLookForThem() throws IOException {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        for (JsonNode service : list(compose.get("services"))) {
            for (JsonNode volume : list(service.path("volumes"))) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(ROOT.resolve(source)).as(volume.asText()).exists();
                }
            }
        }
        JsonNode faceoff = compose.at("/services/faceoff");
        assertThat(ROOT.resolve(faceoff.at("/build/dockerfile").asText())).exists();
        assertThat(faceoff.at("/build/args/FLAVOUR").asText()).isEqualTo("cpu");
        assertThat(faceoff.get("read_only").asBoolean()).isTrue();
        assertThat(faceoff.get("tmpfs").get(0).asText()).startsWith("/tmp:").contains("exec");

        // Prometheus scrapes the compose service by name on the container port
        JsonNode prometheus = YAML.readTree(ROOT.resolve("observability/prometheus/prometheus.yml").toFile());
        JsonNode job = list(prometheus.get("scrape_configs")).stream()
                .filter(config -> config.get("job_name").asText().equals("faceoff")).findFirst().orElseThrow();
        assertThat(job.get("metrics_path").asText()).isEqualTo("/actuator/prometheus");
        assertThat(job.at("/static_configs/0/targets/0").asText()).isEqualTo("faceoff:8080");
        assertThat(faceoff.get("ports").get(0).asText()).endsWith(":8080");

        // Grafana's dashboard provider reads the folder the dashboards are mounted at
        JsonNode provider = YAML.readTree(ROOT.resolve("observability/grafana/provisioning/dashboards/faceoff.yml").toFile());
        String dashboardsPath = provider.at("/providers/0/options/path").asText();
        assertThat(list(compose.at("/services/grafana/volumes")).stream().map(JsonNode::asText))
                .contains("./observability/grafana/dashboards:" + dashboardsPath + ":ro");

        JsonNode gpu = YAML.readTree(ROOT.resolve("docker-compose.gpu.yml").toFile()).at("/services/faceoff");
        assertThat(gpu.at("/build/args/FLAVOUR").asText()).isEqualTo("gpu");
        JsonNode device = gpu.at("/deploy/resources/reservations/devices/0");
        assertThat(device.get("driver").asText()).isEqualTo("nvidia");
        assertThat(list(device.get("capabilities")).stream().map(JsonNode::asText)).contains("gpu");
    }

    /**
     * The gallery's database in compose: the image of the Kubernetes StatefulSet, a named volume, the initialisation
     * script, a healthcheck faceoff waits for, the host name of the deployment configuration's URL, and its secrets
     * from the environment or the git-ignored .env, never a value in the file.
     */
    @Test
    void composeRunsTheGalleryDatabaseFaceoffWaitsFor() throws IOException {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        JsonNode postgres = compose.at("/services/postgres");
        JsonNode statefulSet = YAML.readTree(ROOT.resolve("k8s/base/postgres-statefulset.yaml").toFile());
        assertThat(postgres.get("image").asText()).isEqualTo(statefulSet.at("/spec/template/spec/containers/0/image").asText());
        // the same server settings in both: buffers for the index, reloaded after a restart (autoprewarm)
        List<String> command = list(postgres.get("command")).stream().map(JsonNode::asText).toList();
        assertThat(command).isEqualTo(list(statefulSet.at("/spec/template/spec/containers/0/args")).stream()
                .map(JsonNode::asText).toList());
        assertThat(command).startsWith("postgres").contains("shared_preload_libraries=pg_prewarm")
                .anyMatch(setting -> setting.startsWith("shared_buffers="));

        List<String> volumes = list(postgres.get("volumes")).stream().map(JsonNode::asText).toList();
        String data = volumes.stream().filter(v -> v.endsWith(":/var/lib/postgresql/data")).findFirst().orElseThrow();
        assertThat(compose.at("/volumes").has(data.split(":")[0])).as("named volume %s", data).isTrue();
        assertThat(volumes).contains("./" + KubernetesManifestsTest.INITDB_SCRIPT + ":/docker-entrypoint-initdb.d/faceoff.sh:ro");

        List<String> healthcheck = list(postgres.at("/healthcheck/test")).stream().map(JsonNode::asText).toList();
        assertThat(healthcheck).startsWith("CMD", "pg_isready").contains("--host=127.0.0.1");
        assertThat(postgres.at("/healthcheck/interval").asText()).isNotBlank();
        assertThat(postgres.at("/healthcheck/retries").asInt()).isPositive();
        JsonNode faceoff = compose.at("/services/faceoff");
        assertThat(faceoff.at("/depends_on/postgres/condition").asText()).isEqualTo("service_healthy");

        // faceoff's URL (the Kubernetes Service's name) reaches this service, and its database
        Map<String, String> config = ConfigurationFiles.yaml(ROOT.resolve(ConfigurationFiles.DEPLOYMENT_YAML));
        URI url = URI.create(config.get("faceoff.gallery.postgres.url").substring("jdbc:".length()));
        assertThat(list(postgres.at("/networks/default/aliases")).stream().map(JsonNode::asText)).contains(url.getHost());
        assertThat(url.getPath()).isEqualTo("/" + postgres.at("/environment/POSTGRES_DB").asText());

        // secrets: required variables, no default and no value; the password faceoff sends is the one the script sets
        for (String secret : List.of("/services/postgres/environment/POSTGRES_PASSWORD",
                "/services/postgres/environment/FACEOFF_PASSWORD",
                "/services/faceoff/environment/FACEOFF_GALLERY_POSTGRES_PASSWORD",
                "/services/faceoff/environment/FACEOFF_GALLERY_FACE_KEY")) {
            assertThat(compose.at(secret).asText()).as(secret).matches("\\$\\{\\w+:\\?[^}]*}");
        }
        assertThat(faceoff.at("/environment/FACEOFF_GALLERY_POSTGRES_PASSWORD").asText())
                .isEqualTo(postgres.at("/environment/FACEOFF_PASSWORD").asText());
        assertThat(faceoff.at("/environment/FACEOFF_GALLERY_KEEP_FACES").asText()).isEqualTo("true");
        assertThat(Files.readAllLines(ROOT.resolve(".gitignore"))).as(".env holds compose's secrets").contains(".env");
    }

    @Test
    void dockerfileBuildsBothFlavoursAsANonRootUserWithAHealthCheck() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("docker/Dockerfile"));
        Set<String> stages = new HashSet<>();
        Pattern from = Pattern.compile("^FROM \\S+ AS (\\S+)$");
        for (String line : lines) {
            Matcher m = from.matcher(line);
            if (m.matches()) {
                stages.add(m.group(1));
            }
        }
        // FROM models-${MODELS_SOURCE}, base-${FLAVOUR}: every documented value names a stage
        assertThat(stages).contains("models-fetch", "models-context", "base-cpu", "base-gpu", "runtime");

        String cudaImage = lines.stream().filter(line -> line.startsWith("ARG CUDA_IMAGE=")).findFirst().orElseThrow();
        assertThat(cudaImage).as("ONNX Runtime 1.29's CUDA provider: CUDA 12 + cuDNN 9").contains(":12.").contains("cudnn");

        int runtime = lines.indexOf(lines.stream().filter(line -> line.endsWith(" AS runtime")).findFirst().orElseThrow());
        List<String> runtimeStage = lines.subList(runtime + 1, lines.size());
        assertThat(runtimeStage).anySatisfy(line -> assertThat(line).matches("USER [1-9][0-9]*(:[1-9][0-9]*)?"));
        assertThat(runtimeStage).noneSatisfy(line -> assertThat(line).startsWith("FROM "));
        assertThat(String.join("\n", runtimeStage)).contains("HEALTHCHECK").contains("/actuator/health/readiness");
        // it runs what bin/layout made from the jar (extracted, native libraries unpacked, AppCDS archive)
        assertThat(runtimeStage).anySatisfy(line -> assertThat(line).startsWith("RUN /app/bin/layout /app/faceoff.jar /app/layout "));
        assertThat(runtimeStage).contains("ENTRYPOINT [\"/app/layout/run\"]");

        // the build context (.dockerignore is an allow-list) holds every path the Dockerfile copies from it
        List<String> allowed = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .filter(line -> line.startsWith("!")).map(line -> line.substring(1)).toList();
        for (String line : lines) {
            if (line.startsWith("COPY ") && !line.contains("--from=")) {
                String source = line.split("\\s+")[1];
                assertThat(allowed).as("%s is in the build context", source)
                        .anySatisfy(path -> assertThat(path.startsWith(source) || source.startsWith(path)).isTrue());
            }
        }
    }

    @Test
    void theImageAndBinRunGiveG1RegionsInWhichEveryAcceptedImageIsAnOrdinaryObject() throws IOException {
        Pattern region = Pattern.compile("-XX:G1HeapRegionSize=(\\d+)m\\b");
        String image = Files.readAllLines(ROOT.resolve("docker/Dockerfile")).stream()
                .filter(line -> line.contains("JAVA_TOOL_OPTIONS=")).findFirst().orElseThrow();
        String run = Files.readAllLines(ROOT.resolve("bin/run")).stream()
                .filter(line -> line.startsWith("exec java ")).findFirst().orElseThrow();
        Matcher inImage = region.matcher(image);
        Matcher inRun = region.matcher(run);
        assertThat(inImage.find()).as("the image's JVM sets G1's region size: %s", image).isTrue();
        assertThat(inRun.find()).as("bin/run's JVM sets G1's region size: %s", run).isTrue();
        assertThat(inRun.group(1)).isEqualTo(inImage.group(1));
        // G1 allocates an object of half a region or more as humongous, and each such allocation may start a
        // concurrent mark: every image faceoff accepts must stay below that
        ImageProperties defaults = new Binder(new MapConfigurationPropertySource())
                .bindOrCreate("faceoff.image", ImageProperties.class);
        long half = Long.parseLong(inImage.group(1)) * 1024 * 1024 / 2;
        assertThat(defaults.maxBytes().toBytes()).isLessThan(half);
    }
}
