package dev.faceoff.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring configuration as the tests read it: the properties and defaults of every configuration-metadata file
 * on the class path (faceoff's, generated from its {@code @ConfigurationProperties} records, and Spring Boot's),
 * YAML files as dotted keys, and whether a configured value is the same as a default.
 */
public final class ConfigurationFiles {

    /** The jar's configuration. */
    public static final Path APPLICATION_YAML = Path.of("src", "main", "resources", "application.yaml");
    /** The deployment configuration: Kubernetes' ConfigMap, compose's bind mount, check-prometheus.sh. */
    public static final Path DEPLOYMENT_YAML = Path.of("k8s", "base", "config", "application.yaml");

    private ConfigurationFiles() {
    }

    /** Every property of the class path's metadata → its {@code defaultValue} (a JSON null when it has none). */
    public static Map<String, JsonNode> metadata() {
        var json = JsonMapper.builder().build();
        var out = new LinkedHashMap<String, JsonNode>();
        try {
            for (URL url : Collections.list(ConfigurationFiles.class.getClassLoader()
                    .getResources("META-INF/spring-configuration-metadata.json"))) {
                try (InputStream in = url.openStream()) {
                    for (JsonNode p : json.readTree(in).path("properties")) {
                        out.putIfAbsent(p.path("name").asString(), p.path("defaultValue"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A YAML file's properties as Spring reads them: dotted keys ({@code a.b[0]} for lists), values as text. */
    public static Map<String, String> yaml(Path file) {
        var out = new LinkedHashMap<String, String>();
        try {
            for (var source : new YamlPropertySourceLoader().load(file.toString(), new FileSystemResource(file))) {
                var properties = (EnumerablePropertySource<?>) source;
                for (String name : properties.getPropertyNames()) {
                    out.putIfAbsent(name, String.valueOf(properties.getProperty(name)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Whether {@code configured} is the value {@code fallback} gives anyway: the same number, boolean, duration,
     * data size, list or text (enum names in any case, {@code -} and {@code _} alike). A placeholder
     * ({@code ${...}}) is never the same: it reads somewhere else.
     */
    public static boolean same(String configured, JsonNode fallback) {
        if (configured.contains("${") || fallback == null || fallback.isMissingNode() || fallback.isNull()) {
            return false;
        }
        if (fallback.isArray()) {
            var values = new ArrayList<String>();
            fallback.forEach(v -> values.add(v.asString()));
            return List.of(configured.split("\\s*,\\s*")).equals(values);
        }
        return same(configured.strip(), fallback.asString().strip());
    }

    /** {@link #same(String, JsonNode)} for two values as text. */
    public static boolean same(String a, String b) {
        if (a.contains("${") || b.contains("${")) {
            return false;
        }
        if (a.replace('-', '_').equalsIgnoreCase(b.replace('-', '_'))) {
            return true;
        }
        BigDecimal x = parsed(a, BigDecimal::new);
        BigDecimal y = parsed(b, BigDecimal::new);
        if (x != null && y != null) {
            return x.compareTo(y) == 0;
        }
        return equalWhenParsed(a, b, DurationStyle::detectAndParse) || equalWhenParsed(a, b, DataSize::parse);
    }

    private static <T> boolean equalWhenParsed(String a, String b, Function<String, T> parser) {
        T x = parsed(a, parser);
        return x != null && x.equals(parsed(b, parser));
    }

    private static <T> T parsed(String s, Function<String, T> parser) {
        try {
            return parser.apply(s);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
