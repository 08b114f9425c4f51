package dev.faceoff.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.system.FaceoffMetrics;
import dev.faceoff.system.ProblemWriter;

/**
 * Who may call what; the one place that decides. Changing experiment weights always needs role {@code admin}:
 * with keys on ({@code faceoff.security.enabled=true}) from a key of that role ({@link ApiKeyFilter}), with keys
 * off (the embedded default) from {@code X-Admin-Key} ({@link AdminKeyFilter}, only when
 * {@code faceoff.security.admin-key} is set). Keys on: {@code /v1/**} needs a key; keys off: the rest is open.
 * Health, Prometheus and the API documentation stay open (the k8s overlays serve the actuator on a separate
 * management port). No sessions, no cookies, no CSRF tokens: every request carries its key.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication(
        type = org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type.SERVLET)
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** Content-Security-Policy of every response but Swagger UI's: no inline script, nothing from elsewhere. */
    static final String CONSOLE_POLICY = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    static final String WEIGHTS = "/v1/experiments/*/weights";

    @Bean
    SecurityFilterChain api(HttpSecurity http, ApiKeyProperties properties, FaceoffMetrics metrics) throws Exception {
        var keys = new ApiKeys(properties);
        var writer = new ProblemWriter(metrics);
        http.csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .anonymous(a -> { })
                // the console's pages load only their own scripts, styles and the photos the user picked
                // (blob: URLs); Swagger UI keeps its own inline set-up, so it is left out
                .headers(h -> h.addHeaderWriter(new org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter(
                        request -> !request.getRequestURI().startsWith("/swagger-ui"),
                        new org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter(CONSOLE_POLICY))))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> writer.write(response, request,
                                ErrorCode.UNAUTHORIZED, unauthenticated(properties)))
                        .accessDeniedHandler((request, response, ex) -> writer.write(response, request,
                                ErrorCode.FORBIDDEN, "the key '" + keyName() + "' lacks the admin role this endpoint needs")));
        if (!properties.enabled()) {
            if (!properties.adminKey().isEmpty()) {
                http.addFilterBefore(new AdminKeyFilter(properties.adminKey()), AuthorizationFilter.class);
            }
            http.authorizeHttpRequests(a -> a
                    .requestMatchers(HttpMethod.PUT, WEIGHTS).hasRole("ADMIN")
                    .anyRequest().permitAll());
            return http.build();
        }
        if (!properties.adminKey().isEmpty()) {
            log.info("faceoff.security.admin-key is not used with API keys on: the admin role is a key's (role admin)");
        }
        http.addFilterBefore(new ApiKeyFilter(keys, properties, metrics), AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.PUT, WEIGHTS).hasRole("ADMIN")
                        .requestMatchers("/v1/**").hasAnyRole("CLIENT", "ADMIN")
                        .anyRequest().permitAll());
        return http.build();
    }

    /** The 401's detail: what the refused request lacked. */
    static String unauthenticated(ApiKeyProperties properties) {
        if (properties.enabled()) {
            return "this endpoint needs an API key: Authorization: Bearer <key> or X-API-Key";
        }
        return properties.adminKey().isEmpty()
                ? "the admin endpoint is disabled: no faceoff.security.admin-key"
                : "this endpoint needs the admin key: missing or wrong " + AdminKeyFilter.HEADER;
    }

    /** Paths Spring Security's firewall refuses (";", "%2F", "//", ...): 400 problem+json like every error. */
    @Bean
    org.springframework.security.web.firewall.RequestRejectedHandler requestRejectedHandler(FaceoffMetrics metrics) {
        var writer = new ProblemWriter(metrics);
        return (request, response, e) -> writer.write(response, request, ErrorCode.INVALID_REQUEST, e.getMessage());
    }

    private static String keyName() {
        var authentication = org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication();
        return authentication == null ? "?" : authentication.getName();
    }
}
