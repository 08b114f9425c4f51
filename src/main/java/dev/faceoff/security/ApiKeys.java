package dev.faceoff.security;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.faceoff.common.Digests;

/**
 * The configured keys, found by the SHA-256 of a presented key. Only hashes are held: a heap dump or the
 * configuration leaks no key. (Keys are random 256-bit strings, not passwords: one SHA-256 is enough, and a
 * lookup by hash reveals nothing that helps to find a key.)
 */
final class ApiKeys {

    private final Map<String, ApiKeyProperties.Key> byHash = new LinkedHashMap<>();

    ApiKeys(ApiKeyProperties properties) {
        var names = new java.util.HashSet<String>();
        for (var key : properties.keys()) {
            if (!names.add(key.name())) {
                throw new IllegalStateException("faceoff.security.keys: the name '" + key.name() + "' is used twice");
            }
            if (byHash.put(key.sha256(), key) != null) {
                throw new IllegalStateException("faceoff.security.keys: '" + key.name() + "' has the same key as another");
            }
        }
        if (properties.enabled() && byHash.isEmpty()) {
            throw new IllegalStateException("faceoff.security.enabled is true but faceoff.security.keys is empty: "
                    + "every request would be refused (make a key with bin/api-key)");
        }
    }

    Optional<ApiKeyProperties.Key> find(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(sha256(presented)));
    }

    static String sha256(String key) {
        return HexFormat.of().formatHex(Digests.sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
