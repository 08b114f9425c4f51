package dev.faceoff.security;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.security.*}: API keys. Off by default (local use); when on, every {@code /v1} request needs a
 * key ({@code Authorization: Bearer <key>} or {@code X-API-Key}), admin endpoints a key with role {@code admin}.
 * Keys are configured as the SHA-256 of the key (hex, {@code bin/api-key} makes one), never the key itself.
 *
 * @param enabled     require keys
 * @param defaultRate requests per second a key may send when it names no rate of its own
 * @param keys        the keys: a name (in metrics and logs), a role, the key's SHA-256, an optional rate and
 *                    an optional tenant (whose gallery subjects the key sees; default: the key's name)
 * @param adminKey    with keys off: the key that header {@code X-Admin-Key} must carry to act as role {@code admin}
 *                    (changing experiment weights); empty: no request has that role. Ignored with keys on, where
 *                    the role comes from a key of role {@code admin}
 */
@Validated
@ConfigurationProperties("faceoff.security")
public record ApiKeyProperties(
        @DefaultValue("false") boolean enabled,
        @Min(1) @DefaultValue("50") int defaultRate,
        @Valid List<Key> keys,
        @NotNull @DefaultValue("") String adminKey) {

    public ApiKeyProperties {
        keys = keys == null ? List.of() : List.copyOf(keys);
    }

    public enum Role { CLIENT, ADMIN }

    /** Letters, digits, {@code _ . -}, at most 64: a key's name and its tenant. */
    static final String NAME = "[A-Za-z0-9_.-]{1,64}";

    /** One key, as configured; without a tenant, the key is a tenant of its own, named as the key. */
    public record Key(@NotBlank @Pattern(regexp = NAME, message = "letters, digits, _ . - only") String name,
                      @NotNull Role role,
                      @NotBlank @Pattern(regexp = "[0-9a-f]{64}", message = "the key's SHA-256, 64 lower-case hex digits") String sha256,
                      @Min(1) Integer rate,
                      @Pattern(regexp = NAME, message = "letters, digits, _ . - only") String tenant) {

        public Key {
            tenant = tenant == null ? name : tenant;
        }
    }
}
