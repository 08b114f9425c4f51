package dev.faceoff.experiment;

import java.util.Locale;
import java.util.Optional;

/** Where a request carries its sticky key: a header ({@code header:X-Subject-Id}) or a field ({@code field:subject}). */
record StickyKey(Source source, String name) {

    enum Source { HEADER, FIELD }

    /** Parses {@code header:Name} or {@code field:name}; null or blank: no sticky key. */
    static Optional<StickyKey> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return Optional.empty();
        }
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("sticky key '" + spec + "' is not header:Name or field:name");
        }
        String source = spec.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String name = spec.substring(colon + 1).strip();
        return Optional.of(switch (source) {
            case "header" -> new StickyKey(Source.HEADER, name.toLowerCase(Locale.ROOT));
            case "field" -> new StickyKey(Source.FIELD, name);
            default -> throw new IllegalArgumentException("sticky key '" + spec + "' is not header:Name or field:name");
        });
    }

    /** The key's value in the request, if present and not blank. */
    Optional<String> in(RequestKeys keys) {
        String value = source == Source.HEADER ? keys.headers().get(name) : keys.fields().get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    @Override
    public String toString() {
        return source.name().toLowerCase(Locale.ROOT) + ":" + name;
    }
}
