package dev.faceoff.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class ApiKeysTest {

    static ApiKeyProperties.Key key(String name, String key) {
        return new ApiKeyProperties.Key(name, ApiKeyProperties.Role.CLIENT, ApiKeys.sha256(key), null, null);
    }

    @Test
    void findsAKeyByItsHashAndNothingElse() {
        var keys = new ApiKeys(new ApiKeyProperties(true, 5, List.of(key("a", "secret-a"), key("b", "secret-b")), ""));
        assertThat(keys.find("secret-b")).map(ApiKeyProperties.Key::name).contains("b");
        assertThat(keys.find("secret-c")).isEmpty();
        assertThat(keys.find("")).isEmpty();
        assertThat(keys.find(null)).isEmpty();
        // the SHA-256 itself is not a key
        assertThat(keys.find(ApiKeys.sha256("secret-a"))).isEmpty();
    }

    @Test
    void theHashIsTheKnownSha256() {
        assertThat(ApiKeys.sha256("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void refusesConfigurationsThatCannotWork() {
        assertThatThrownBy(() -> new ApiKeys(new ApiKeyProperties(true, 5, List.of(), "")))
                .hasMessageContaining("keys is empty");
        assertThatThrownBy(() -> new ApiKeys(new ApiKeyProperties(true, 5, List.of(key("a", "x"), key("a", "y")), "")))
                .hasMessageContaining("used twice");
        assertThatThrownBy(() -> new ApiKeys(new ApiKeyProperties(true, 5, List.of(key("a", "x"), key("b", "x")), "")))
                .hasMessageContaining("same key");
        // off: no keys needed
        new ApiKeys(new ApiKeyProperties(false, 5, List.of(), ""));
    }
}
