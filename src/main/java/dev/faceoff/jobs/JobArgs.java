package dev.faceoff.jobs;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --key value}, {@code --key=value} and {@code --flag} arguments of a command-line job; {@code job} is its name. */
public record JobArgs(String job, Map<String, String> values) {

    public static JobArgs parse(String[] args) {
        var values = new LinkedHashMap<String, String>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String key = a.substring(2);
            String value = "true";
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            }
            values.put(key, value);
        }
        return new JobArgs(args.length == 0 ? "" : args[0], values);
    }

    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public String require(String key) {
        String v = values.get(key);
        if (v == null || v.equals("true")) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    public Path path(String key, Path fallback) {
        String v = values.get(key);
        return v == null ? fallback : Path.of(v);
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(values.getOrDefault(key, "false"));
    }

    public int integer(String key, int fallback) {
        return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
    }

    public List<String> list(String key) {
        String v = values.get(key);
        return v == null ? List.of() : Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public void allow(String... keys) {
        var allowed = List.of(keys);
        for (String k : values.keySet()) {
            // configuration keys (--faceoff.models.detector=…) are Spring's: they shape the pipeline the job runs
            if (!allowed.contains(k) && !k.startsWith("faceoff.") && !k.startsWith("spring.") && !k.startsWith("logging.")) {
                throw new IllegalArgumentException("unknown option --" + k + " for '" + job + "'; options: --"
                        + String.join(", --", allowed));
            }
        }
    }
}
