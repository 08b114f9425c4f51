package dev.faceoff;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.faceoff.testing.ConfigurationFiles;

/**
 * docs/operations.md's configuration table against the configuration metadata that
 * spring-boot-configuration-processor generates from the {@code @ConfigurationProperties} records: every
 * {@code faceoff.*} key documented exists, every one that exists is documented, and a default the table states
 * is the record's default.
 */
class ConfigurationDocsTest {

    private static final Pattern TICKED = Pattern.compile("`([^`]+)`");

    @Test
    void theConfigurationTableMatchesTheMetadata() throws IOException {
        Map<String, String> metadata = metadata();
        assertThat(metadata).as("faceoff.* properties in the metadata").hasSizeGreaterThan(30);
        Map<String, String> documented = table(Files.readString(Path.of("docs", "operations.md")));
        var wildcards = documented.keySet().stream().filter(k -> k.endsWith(".*"))
                .map(k -> k.substring(0, k.length() - 1)).toList();
        var undocumented = new TreeSet<String>();
        for (String key : metadata.keySet()) {
            if (!documented.containsKey(key) && wildcards.stream().noneMatch(key::startsWith)) {
                undocumented.add(key);
            }
        }
        var unknown = new TreeSet<String>();
        var wrongDefault = new TreeSet<String>();
        documented.forEach((key, value) -> {
            if (!key.startsWith("faceoff.") || key.endsWith(".*")) {
                return;
            }
            if (!metadata.containsKey(key)) {
                unknown.add(key);
            } else if (value != null && metadata.get(key) != null && !value.equals(metadata.get(key))) {
                wrongDefault.add(key + ": documented " + value + ", the record's default " + metadata.get(key));
            }
        });
        assertThat(undocumented).as("configuration keys missing from docs/operations.md").isEmpty();
        assertThat(unknown).as("documented keys no record binds").isEmpty();
        assertThat(wrongDefault).as("documented defaults that differ from the records'").isEmpty();
    }

    @Test
    void rowsWithSeveralKeysAreExpanded() {
        var t = table("## Configuration\n| key | default | meaning |\n|---|---|---|\n"
                + "| `faceoff.limits.queue` / `.queue-share` | `0` (half the threads) / `0.4` | x |\n"
                + "| `faceoff.models.include` / `.exclude` | (all) / (none) | y |\n## Next\n");
        assertThat(t).containsEntry("faceoff.limits.queue", "0").containsEntry("faceoff.limits.queue-share", "0.4")
                .containsEntry("faceoff.models.include", null).containsKey("faceoff.models.exclude");
    }

    /** faceoff.* property → its default as text (null when the record gives none). */
    private static Map<String, String> metadata() {
        var out = new LinkedHashMap<String, String>();
        ConfigurationFiles.metadata().forEach((name, d) -> {
            if (name.startsWith("faceoff.")) {
                out.put(name, d.isMissingNode() || d.isNull() || d.isArray() ? null : d.asString());
            }
        });
        return out;
    }

    /** The "## Configuration" table: key → the documented default (a single `value`), or null. */
    static Map<String, String> table(String markdown) {
        var out = new LinkedHashMap<String, String>();
        boolean in = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("## ")) {
                in = line.startsWith("## Configuration");
                continue;
            }
            if (!in || !line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|");
            List<String> keys = new ArrayList<>();
            String first = null;
            for (String part : cells[1].split(" / |, ")) {
                Matcher m = TICKED.matcher(part);
                if (!m.find()) {
                    continue;
                }
                String key = m.group(1);
                if (key.startsWith(".") && first != null) {
                    key = first.substring(0, first.lastIndexOf('.')) + key;
                } else if (!key.startsWith(".")) {
                    first = key;
                }
                keys.add(key);
            }
            String[] defaults = cells[2].split(" / ");
            for (int i = 0; i < keys.size(); i++) {
                String value = null;
                if (i < defaults.length) {
                    Matcher m = TICKED.matcher(defaults[i].strip());
                    if (m.lookingAt()) {
                        value = m.group(1);
                    }
                }
                out.put(keys.get(i), value);
            }
        }
        return out;
    }
}
