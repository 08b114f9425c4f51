package dev.faceoff.experiment;

import java.util.Map;

/**
 * The parts of a request an experiment may key on: headers (lower-case names) and request fields.
 */
public record RequestKeys(Map<String, String> headers, Map<String, String> fields) {

    public static final RequestKeys NONE = new RequestKeys(Map.of(), Map.of());

    public RequestKeys {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        fields = fields == null ? Map.of() : Map.copyOf(fields);
    }
}
