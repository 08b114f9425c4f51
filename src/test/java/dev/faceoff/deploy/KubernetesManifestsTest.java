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
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
import java.util.Objects;
import java.util.Set;
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

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyObjectMatchesItsModelWithoutUnknownFields(String overlay) throws Exception {
        RenderedManifests rendered = RenderedManifests.render(overlay);

        Map<String, Long> kinds = rendered.objects().stream()
                .collect(Collectors.groupingBy(HasMetadata::getKind, Collectors.counting()));
        assertThat(kinds).containsExactlyInAnyOrderEntriesOf(Map.of(
                "ConfigMap", 2L, "Service", 1L, "Deployment", 1L, "HorizontalPodAutoscaler", 1L,
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
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();

        assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).isNotEmpty();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getContainers()).hasSize(1);

        Container container = pod.getContainers().get(0);
        assertThat(container.getName()).isNotBlank();
        assertThat(container.getImage()).isEqualTo("faceoff:" + overlay);
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

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

        for (String resource : List.of("cpu", "memory")) {
            assertThat(container.getResources().getRequests()).containsKey(resource);
            assertThat(container.getResources().getLimits()).containsKey(resource);
        }

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
        // no Secret is rendered: every Secret reference must be optional (created by the operator, k8s/README.md)
        container.getEnv().stream().map(EnvVar::getValueFrom).filter(Objects::nonNull)
                .filter(source -> source.getSecretKeyRef() != null)
                .forEach(source -> assertThat(source.getSecretKeyRef().getOptional()).isTrue());
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

        Service service = rendered.one(Service.class);
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
