package dev.faceoff.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import dev.faceoff.Prerequisites;

/**
 * One kustomize overlay rendered with {@code kubectl kustomize} and read twice: as the fabric8 Kubernetes model
 * (typed objects; ServiceMonitor and PrometheusRule through fabric8's prometheus-operator model) and as plain YAML
 * trees. The render is also written to {@code target/k8s/<overlay>.yaml}.
 */
record RenderedManifests(String overlay, List<HasMetadata> objects, List<JsonNode> trees) {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private static final Map<String, RenderedManifests> RENDERED = new ConcurrentHashMap<>();

    /**
     * Renders {@code k8s/overlays/<overlay>} once per test run; skips without kubectl, except in CI (CI=true), where
     * it fails.
     */
    static RenderedManifests render(String overlay) throws IOException, InterruptedException {
        RenderedManifests cached = RENDERED.get(overlay);
        if (cached == null) {
            cached = parse(overlay);
            RENDERED.put(overlay, cached);
        }
        return cached;
    }

    private static RenderedManifests parse(String overlay) throws IOException, InterruptedException {
        String yaml = kustomize(ROOT.resolve("k8s/overlays").resolve(overlay));
        Path out = ROOT.resolve("target/k8s").resolve(overlay + ".yaml");
        Files.createDirectories(out.getParent());
        Files.writeString(out, yaml);

        List<HasMetadata> objects = new ArrayList<>();
        List<JsonNode> trees = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            if (document.isBlank()) {
                continue;
            }
            Object parsed = Serialization.unmarshal(document);
            assertThat(parsed).as("a Kubernetes object with a typed model:%n%s", document).isInstanceOf(HasMetadata.class);
            assertThat(parsed).as("no fabric8 model for:%n%s", document).isNotInstanceOf(GenericKubernetesResource.class);
            objects.add((HasMetadata) parsed);
            trees.add(YAML.readTree(document));
        }
        return new RenderedManifests(overlay, List.copyOf(objects), List.copyOf(trees));
    }

    private static String kustomize(Path dir) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        } catch (IOException noKubectl) {
            throw Prerequisites.missing("kubectl not installed: the Kubernetes overlays cannot be rendered (" + dir + ")");
        }
        process.getOutputStream().close();
        byte[] stdout = process.getInputStream().readAllBytes();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + stderr);
        }
        return new String(stdout, StandardCharsets.UTF_8);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        assertThat(found).as("%s objects of kind %s", overlay, type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    JsonNode tree(HasMetadata object) {
        return trees.get(objects.indexOf(object));
    }

    /**
     * Every field the model did not know: fabric8 keeps unknown fields in {@code additionalProperties} instead of
     * failing, so a typo such as {@code readinesProbe} would otherwise pass silently.
     */
    static List<String> unknownFields(HasMetadata object) {
        List<String> problems = new ArrayList<>();
        walk(object, object.getKind() + "/" + object.getMetadata().getName(), problems,
                Collections.newSetFromMap(new IdentityHashMap<>()));
        return problems;
    }

    private static void walk(Object value, String path, List<String> problems, Set<Object> seen) {
        if (value == null || !seen.add(value)) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> walk(item, path + "." + key, problems, seen));
            return;
        }
        if (value instanceof Collection<?> items) {
            int index = 0;
            for (Object item : items) {
                walk(item, path + "[" + index++ + "]", problems, seen);
            }
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.") || value.getClass().isEnum()) {
            return;
        }
        for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                Object fieldValue;
                try {
                    fieldValue = field.get(value);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                if (field.getName().equals("additionalProperties")) {
                    if (fieldValue instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + extra.keySet());
                    }
                } else {
                    walk(fieldValue, path + "." + field.getName(), problems, seen);
                }
            }
        }
    }
}
