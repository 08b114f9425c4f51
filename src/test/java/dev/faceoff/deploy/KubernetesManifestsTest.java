package dev.faceoff.deploy;

import static dev.faceoff.deploy.RenderedManifests.ROOT;
import static dev.faceoff.deploy.RenderedManifests.YAML;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.faceoff.testing.ConfigurationFiles;

/**
 * Renders both kustomize overlays (k8s/overlays/cpu, k8s/overlays/gpu) and checks every object against the
 * Kubernetes API model strictly: unknown fields, required fields, and the references between the objects (selectors,
 * port names, volumes, the autoscaler's target), plus what the deployment promises (probes, non-root, read-only root
 * filesystem with /tmp on an emptyDir, one GPU in the gpu overlay).
 */
class KubernetesManifestsTest {

    private static final String PART_OF = "app.kubernetes.io/part-of";
    /** Environment variables that carry a secret: a password or a key. */
    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|_KEY)");
    private static final Pattern CREATE_SECRET = Pattern.compile("create secret generic (\\S+)(.*)");
    private static final Pattern FROM_LITERAL = Pattern.compile("--from-literal=([\\w.-]+)=");
    static final String INITDB_SCRIPT = "k8s/base/config/postgres-initdb.sh";

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyObjectMatchesItsModelWithoutUnknownFields(String overlay) throws Exception {
        RenderedManifests rendered = RenderedManifests.render(overlay);

        Map<String, Long> kinds = rendered.objects().stream()
                .collect(Collectors.groupingBy(HasMetadata::getKind, Collectors.counting()));
        assertThat(kinds).containsExactlyInAnyOrderEntriesOf(Map.of(
                "ConfigMap", 3L, "Service", 2L, "Deployment", 1L, "StatefulSet", 1L, "HorizontalPodAutoscaler", 1L,
                "PodDisruptionBudget", 1L, "ServiceMonitor", 1L, "PrometheusRule", 1L));

        List<String> problems = new ArrayList<>();
        for (HasMetadata object : rendered.objects()) {
            String id = object.getKind() + "/" + object.getMetadata().getName();
            problems.addAll(RenderedManifests.unknownFields(object));
            require(problems, id, "apiVersion", object.getApiVersion());
            require(problems, id, "metadata.name", object.getMetadata().getName());
            if (!"faceoff".equals(object.getMetadata().getLabels().get(PART_OF))) {
                problems.add(id + ": label " + PART_OF + "=faceoff missing");
            }
        }
        assertThat(problems).as("problems in the %s overlay", overlay).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theDeploymentIsProbedAndLockedDown(String overlay) throws Exception {
        RenderedManifests rendered = RenderedManifests.render(overlay);
        Deployment deployment = rendered.one(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = assertLockedDown(deployment.getSpec().getSelector().getMatchLabels(),
                deployment.getSpec().getTemplate().getMetadata().getLabels(), pod);
        assertThat(container.getImage()).isEqualTo("faceoff:" + overlay);

        Set<String> portNames = container.getPorts().stream().map(ContainerPort::getName).collect(Collectors.toSet());
        container.getPorts().forEach(port -> assertThat(port.getContainerPort()).isBetween(1, 65535));
        assertProbe(container.getStartupProbe(), "/actuator/health/liveness", portNames);
        assertProbe(container.getLivenessProbe(), "/actuator/health/liveness", portNames);
        assertProbe(container.getReadinessProbe(), "/actuator/health/readiness", portNames);
        // the actuator answers on its own port, the one the probes use; no API documentation in production
        Map<String, String> env = container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        int management = container.getPorts().stream().filter(p -> p.getName().equals("management")).findFirst()
                .orElseThrow().getContainerPort();
        assertThat(env.get("MANAGEMENT_SERVER_PORT")).isEqualTo(Integer.toString(management));
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(env).containsEntry("SPRINGDOC_API_DOCS_ENABLED", "false").containsEntry("SPRINGDOC_SWAGGER_UI_ENABLED", "false");

        // shutdown: preStop delay, then the application's drain, both inside the grace period
        long preStop = container.getLifecycle().getPreStop().getSleep().getSeconds();
        assertThat(preStop).isPositive();
        long drain = java.time.Duration.parse("PT" + springProperty("spring.lifecycle.timeout-per-shutdown-phase").toUpperCase()).toSeconds();
        assertThat(pod.getTerminationGracePeriodSeconds()).as("grace > preStop + drain").isGreaterThan(preStop + drain);
        assertThat(springProperty("server.shutdown")).isEqualTo("graceful");

        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        for (VolumeMount mount : container.getVolumeMounts()) {
            assertThat(volumes).as("volume of mount %s", mount.getMountPath()).containsKey(mount.getName());
        }
        VolumeMount tmp = container.getVolumeMounts().stream()
                .filter(mount -> mount.getMountPath().equals("/tmp")).findFirst().orElseThrow();
        assertThat(volumes.get(tmp.getName()).getEmptyDir()).as("/tmp is an emptyDir").isNotNull();

        Set<String> configMaps = rendered.all(ConfigMap.class).stream()
                .map(configMap -> configMap.getMetadata().getName()).collect(Collectors.toSet());
        volumes.values().stream().filter(volume -> volume.getConfigMap() != null)
                .forEach(volume -> assertThat(configMaps).contains(volume.getConfigMap().getName()));
        // the admin key is optional (without it the admin API stays off)
        assertThat(secretRef(container, "FACEOFF_ADMIN_KEY").getOptional()).isTrue();
    }

    /**
     * No Secret is rendered and no secret value is written into a manifest: every Secret a container reads is one the
     * operator creates with a command the docs give (k8s/README.md, docs/operations.md), key included.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everySecretIsReferencedAndCreatedByADocumentedCommand(String overlay) throws Exception {
        RenderedManifests rendered = RenderedManifests.render(overlay);
        assertThat(rendered.objects()).noneMatch(object -> object.getKind().equals("Secret"));
        Map<String, Set<String>> documented = documentedSecrets();
        List<Container> containers = new ArrayList<>(rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers());
        containers.addAll(rendered.one(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers());
        List<String> refs = new ArrayList<>();
        for (Container container : containers) {
            for (EnvVar env : container.getEnv()) {
                if (SECRET_NAME.matcher(env.getName()).matches()) {
                    assertThat(env.getValue()).as("%s of %s comes from a Secret, not the manifest", env.getName(),
                            container.getName()).isNull();
                    SecretKeySelector ref = env.getValueFrom().getSecretKeyRef();
                    assertThat(ref).as("%s of %s", env.getName(), container.getName()).isNotNull();
                    assertThat(documented.getOrDefault(ref.getName(), Set.of()))
                            .as("a documented `kubectl create secret generic %s` with key %s", ref.getName(), ref.getKey())
                            .contains(ref.getKey());
                    refs.add(ref.getName() + "/" + ref.getKey());
                }
            }
        }
        assertThat(refs).contains("faceoff-admin/admin-key", "faceoff-postgres/password",
                "faceoff-postgres/superuser-password", "faceoff-gallery/face-key");
    }

    /** Every {@code kubectl create secret generic NAME --from-literal=KEY=...} of k8s/README.md and docs/operations.md. */
    private static Map<String, Set<String>> documentedSecrets() throws java.io.IOException {
        Map<String, Set<String>> secrets = new java.util.HashMap<>();
        for (String doc : List.of("k8s/README.md", "docs/operations.md")) {
            String text = Files.readString(ROOT.resolve(doc)).replace("\\\n", " ");
            Matcher command = CREATE_SECRET.matcher(text);
            while (command.find()) {
                Matcher literal = FROM_LITERAL.matcher(command.group(2));
                while (literal.find()) {
                    secrets.computeIfAbsent(command.group(1), name -> new java.util.HashSet<>()).add(literal.group(1));
                }
            }
        }
        return secrets;
    }

    private static SecretKeySelector secretRef(Container container, String name) {
        EnvVar env = container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
        assertThat(env.getValueFrom()).as(name).isNotNull();
        assertThat(env.getValueFrom().getSecretKeyRef()).as(name).isNotNull();
        return env.getValueFrom().getSecretKeyRef();
    }

    /**
     * The gallery's database: a PostgreSQL + pgvector StatefulSet with its own volume claim, a headless Service, a
     * readiness probe, resources and a locked-down container; faceoff connects to that Service, as the role the
     * initialisation script makes, with the password that script sets.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theGalleryDatabaseIsAStatefulSetFaceoffConnectsTo(String overlay) throws Exception {
        RenderedManifests rendered = RenderedManifests.render(overlay);
        StatefulSet statefulSet = rendered.one(StatefulSet.class);
        PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        Map<String, String> podLabels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        Container postgres = assertLockedDown(statefulSet.getSpec().getSelector().getMatchLabels(), podLabels, pod);
        assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(1);

        // the governing Service: headless, selecting these pods on the container's port
        Service service = named(rendered, Service.class, statefulSet.getSpec().getServiceName());
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(postgres.getImage()).isEqualTo("pgvector/pgvector:pg15");
        ServicePort port = service.getSpec().getPorts().get(0);
        ContainerPort containerPort = postgres.getPorts().stream()
                .filter(p -> p.getName().equals(port.getTargetPort().getStrVal())).findFirst().orElseThrow();
        assertThat(containerPort.getContainerPort()).isEqualTo(5432);

        // faceoff's pods, its Service, budget and monitor never select the database, nor its Service faceoff
        Map<String, String> faceoffPods = rendered.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels.entrySet()).doesNotContainAnyElementsOf(named(rendered, Service.class, "faceoff").getSpec().getSelector().entrySet());
        assertThat(podLabels.entrySet()).doesNotContainAnyElementsOf(rendered.one(PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels().entrySet());
        assertThat(faceoffPods.entrySet()).doesNotContainAnyElementsOf(service.getSpec().getSelector().entrySet());

        // its data on a volume claim per pod, PGDATA inside it
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates()).hasSize(1);
        PersistentVolumeClaim claim = statefulSet.getSpec().getVolumeClaimTemplates().get(0);
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getResources().getRequests()).containsKey("storage");
        VolumeMount data = postgres.getVolumeMounts().stream()
                .filter(mount -> mount.getName().equals(claim.getMetadata().getName())).findFirst().orElseThrow();
        assertThat(data.getMountPath()).isEqualTo("/var/lib/postgresql/data");
        Map<String, String> env = postgres.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(env.get("PGDATA")).startsWith(data.getMountPath() + "/");
        Set<String> volumes = pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
        for (VolumeMount mount : postgres.getVolumeMounts()) {
            if (mount != data) {
                assertThat(volumes).as("volume of mount %s", mount.getMountPath()).contains(mount.getName());
            }
        }

        // ready only when it takes TCP connections (not during the image's socket-only initialisation)
        Probe readiness = postgres.getReadinessProbe();
        assertThat(readiness.getExec().getCommand()).startsWith("pg_isready").contains("--host=127.0.0.1");
        assertThat(readiness.getPeriodSeconds()).isPositive();
        assertThat(pod.getSecurityContext().getFsGroup()).as("the volume writable by the postgres user").isNotNull();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();

        // the initialisation script, from the repository, where the image runs it
        String initdb = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null).findFirst().orElseThrow().getName();
        assertThat(postgres.getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getName()).isEqualTo(initdb);
            assertThat(mount.getMountPath()).isEqualTo("/docker-entrypoint-initdb.d");
        });
        String configMapName = pod.getVolumes().stream().filter(v -> v.getName().equals(initdb)).findFirst().orElseThrow()
                .getConfigMap().getName();
        String script = Files.readString(ROOT.resolve(INITDB_SCRIPT));
        assertThat(named(rendered, ConfigMap.class, configMapName).getData()).containsExactly(Map.entry("faceoff.sh", script));

        // faceoff connects to that Service, database and port, as the role the script makes
        Map<String, String> config = ConfigurationFiles.yaml(ROOT.resolve(ConfigurationFiles.DEPLOYMENT_YAML));
        assertThat(config).containsEntry("faceoff.gallery.store", "postgres")
                .doesNotContainKeys("faceoff.gallery.postgres.password", "faceoff.gallery.face-key");
        java.net.URI url = java.net.URI.create(config.get("faceoff.gallery.postgres.url").substring("jdbc:".length()));
        assertThat(url.getScheme()).isEqualTo("postgresql");
        assertThat(url.getHost()).isEqualTo(service.getMetadata().getName());
        assertThat(url.getPort()).isEqualTo(port.getPort());
        assertThat(url.getPath()).isEqualTo("/" + env.get("POSTGRES_DB"));
        assertThat(script).contains("CREATE ROLE " + config.get("faceoff.gallery.postgres.user") + " LOGIN PASSWORD :'password'")
                .contains("--set=password=\"$FACEOFF_PASSWORD\"");

        // the password faceoff sends is the one the script set; faces are kept, sealed with the key of a Secret
        Container faceoff = rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        SecretKeySelector password = secretRef(faceoff, "FACEOFF_GALLERY_POSTGRES_PASSWORD");
        assertThat(secretRef(postgres, "FACEOFF_PASSWORD")).isEqualTo(password);
        assertThat(password.getOptional()).as("no pod starts without the database's password").isNotEqualTo(Boolean.TRUE);
        assertThat(secretRef(postgres, "POSTGRES_PASSWORD").getName()).isEqualTo(password.getName());
        assertThat(secretRef(postgres, "POSTGRES_PASSWORD").getKey()).isNotEqualTo(password.getKey());
        assertThat(faceoff.getEnv()).contains(new EnvVar("FACEOFF_GALLERY_KEEP_FACES", "true", null));
        assertThat(secretRef(faceoff, "FACEOFF_GALLERY_FACE_KEY").getOptional()).isNotEqualTo(Boolean.TRUE);
    }

    private static <T extends HasMetadata> T named(RenderedManifests rendered, Class<T> type, String name) {
        List<T> found = rendered.all(type).stream().filter(object -> object.getMetadata().getName().equals(name)).toList();
        assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
        return found.get(0);
    }

    /**
     * One container in a pod its selector selects, non-root, read-only root filesystem, no privilege escalation, no
     * capability, CPU and memory requested and limited; that container.
     */
    private static Container assertLockedDown(Map<String, String> selector, Map<String, String> podLabels, PodSpec pod) {
        assertThat(selector).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(selector);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getContainers()).hasSize(1);
        Container container = pod.getContainers().get(0);
        assertThat(container.getName()).isNotBlank();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        for (String resource : List.of("cpu", "memory")) {
            assertThat(container.getResources().getRequests()).containsKey(resource);
            assertThat(container.getResources().getLimits()).containsKey(resource);
        }
        return container;
    }

    private static void assertProbe(Probe probe, String path, Set<String> portNames) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        IntOrString port = probe.getHttpGet().getPort();
        assertThat(port.getStrVal()).as("probe port names a container port").isIn(portNames);
        assertThat(probe.getPeriodSeconds()).isPositive();
        assertThat(probe.getFailureThreshold()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void serviceAutoscalerBudgetAndMonitorPointAtTheDeployment(String overlay) throws Exception {
        RenderedManifests rendered = RenderedManifests.render(overlay);
        Deployment deployment = rendered.one(Deployment.class);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        Set<String> containerPorts = container.getPorts().stream().map(ContainerPort::getName).collect(Collectors.toSet());

        Service service = named(rendered, Service.class, "faceoff");
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        for (ServicePort port : service.getSpec().getPorts()) {
            assertThat(port.getName()).isNotBlank();
            assertThat(port.getPort()).isBetween(1, 65535);
            assertThat(port.getTargetPort().getStrVal()).isIn(containerPorts);
        }

        HorizontalPodAutoscaler hpa = rendered.one(HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo(deployment.getApiVersion());
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isPositive().isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
        assertThat(hpa.getSpec().getMetrics()).isNotEmpty().allSatisfy(metric -> {
            assertThat(metric.getType()).isEqualTo("Resource");
            // a utilisation target needs a request to be measured against
            assertThat(container.getResources().getRequests()).containsKey(metric.getResource().getName());
        });

        PodDisruptionBudget pdb = rendered.one(PodDisruptionBudget.class);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isLessThan(hpa.getSpec().getMinReplicas());

        ServiceMonitor monitor = rendered.one(ServiceMonitor.class);
        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
        Set<String> servicePorts = service.getSpec().getPorts().stream().map(ServicePort::getName).collect(Collectors.toSet());
        assertThat(monitor.getSpec().getEndpoints()).isNotEmpty();
        for (Endpoint endpoint : monitor.getSpec().getEndpoints()) {
            assertThat(endpoint.getPort()).isIn(servicePorts);
            assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
            assertThat(endpoint.getPort()).as("scraped on the management port").isEqualTo("management");
        }
        // the rules select job="faceoff"; the Operator names the job after the Service
        assertThat(service.getMetadata().getName()).isEqualTo("faceoff");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void configMapsCarryTheRepositoryFiles(String overlay) throws Exception {
        RenderedManifests rendered = RenderedManifests.render(overlay);
        Map<String, ConfigMap> byPrefix = rendered.all(ConfigMap.class).stream().collect(Collectors.toMap(
                configMap -> configMap.getMetadata().getName().replaceAll("-[a-z0-9]{10}$", ""), configMap -> configMap));

        ConfigMap config = byPrefix.get("faceoff-config");
        assertThat(config.getData()).containsOnlyKeys("application.yaml");
        assertThat(config.getData().get("application.yaml"))
                .isEqualTo(Files.readString(ROOT.resolve("k8s/base/config/application.yaml")));

        ConfigMap dashboard = byPrefix.get("faceoff-grafana-dashboard");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getData().get("faceoff.json"))
                .isEqualTo(Files.readString(ROOT.resolve("observability/grafana/dashboards/faceoff.json")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void thePrometheusRuleIsTheRuleFile(String overlay) throws Exception {
        RenderedManifests rendered = RenderedManifests.render(overlay);
        PrometheusRule rule = rendered.one(PrometheusRule.class);

        JsonNode expected = YAML.readTree(ROOT.resolve("observability/prometheus/rules/faceoff.rules.yml").toFile()).get("groups");
        JsonNode actual = rendered.tree(rule).at("/spec/groups");
        String stale = "k8s/base/prometheusrule.yaml is stale: run observability/gen-prometheusrule.sh > k8s/base/prometheusrule.yaml";
        assertThat(actual.size()).as(stale).isEqualTo(expected.size());
        for (int g = 0; g < expected.size(); g++) {
            JsonNode expectedRules = expected.get(g).get("rules");
            JsonNode actualRules = actual.get(g).get("rules");
            assertThat(actual.get(g).get("name")).as(stale).isEqualTo(expected.get(g).get("name"));
            assertThat(actualRules.size()).as(stale).isEqualTo(expectedRules.size());
            for (int r = 0; r < expectedRules.size(); r++) {
                assertThat(actualRules.get(r)).as(stale).isEqualTo(expectedRules.get(r));
            }
        }
        assertThat(actual).as(stale).isEqualTo(expected);

        assertThat(rule.getSpec().getGroups()).isNotEmpty();
        for (RuleGroup group : rule.getSpec().getGroups()) {
            assertThat(group.getName()).isNotBlank();
            assertThat(group.getRules()).isNotEmpty();
            for (Rule r : group.getRules()) {
                assertThat(r.getExpr().getStrVal()).isNotBlank();
                assertThat(r.getRecord() == null).as("exactly one of record and alert: %s", r).isNotEqualTo(r.getAlert() == null);
                if (r.getAlert() != null) {
                    assertThat(r.getLabels()).as(r.getAlert()).containsKey("severity");
                    assertThat(r.getAnnotations()).as(r.getAlert()).containsKeys("summary", "description");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void onlyTheGpuOverlayAsksForAGpu(String overlay) throws Exception {
        RenderedManifests rendered = RenderedManifests.render(overlay);
        PodSpec pod = rendered.one(Deployment.class).getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        Map<String, Quantity> limits = container.getResources().getLimits();
        if (overlay.equals("gpu")) {
            assertThat(limits).containsEntry("nvidia.com/gpu", new Quantity("1"));
            assertThat(container.getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("1"));
            assertThat(pod.getNodeSelector()).isNotEmpty();
            assertThat(pod.getTolerations()).anySatisfy(toleration -> assertThat(toleration.getKey()).isEqualTo("nvidia.com/gpu"));
            assertThat(container.getEnv()).anySatisfy(env -> {
                assertThat(env.getName()).isEqualTo("FACEOFF_RUNTIME_PROVIDER");
                assertThat(env.getValue()).isEqualTo("cuda");
            });
        } else {
            assertThat(limits).doesNotContainKey("nvidia.com/gpu");
            assertThat(pod.getTolerations()).isEmpty();
        }
    }

    private static void require(List<String> problems, String id, String field, String value) {
        if (value == null || value.isBlank()) {
            problems.add(id + ": required field " + field + " is missing");
        }
    }


    /**
     * A property as a deployment gets it: the deployment configuration (k8s/base/config/application.yaml), else
     * the jar's application.yaml, else the default of the configuration metadata.
     */
    private static String springProperty(String key) {
        String value = ConfigurationFiles.yaml(ROOT.resolve(ConfigurationFiles.DEPLOYMENT_YAML)).get(key);
        if (value == null) {
            value = ConfigurationFiles.yaml(ROOT.resolve(ConfigurationFiles.APPLICATION_YAML)).get(key);
        }
        if (value == null && ConfigurationFiles.metadata().get(key) != null) {
            value = ConfigurationFiles.metadata().get(key).asString(null);
        }
        assertThat(value).as("%s: deployment configuration, application.yaml or default", key).isNotNull();
        return value;
    }
}
