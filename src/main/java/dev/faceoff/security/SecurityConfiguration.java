package dev.faceoff.security;

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
 * Who may call what. Keys off ({@code faceoff.security.enabled=false}, the embedded default): everything is
 * open, and the experiment weights keep their {@code X-Admin-Key}. Keys on: {@code /v1/**} needs a key,
 * changing experiment weights a key with role {@code admin}; health, Prometheus and the API documentation
 * stay open (the k8s overlays serve the actuator on a separate management port). No sessions, no cookies,
 * no CSRF tokens: every request carries its key.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication(
        type = org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type.SERVLET)
class SecurityConfiguration {

    /** Content-Security-Policy of every response but Swagger UI's: no inline script, nothing from elsewhere. */
    static final String CONSOLE_POLICY = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

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
                                ErrorCode.UNAUTHORIZED, "this endpoint needs an API key: Authorization: Bearer <key> or X-API-Key"))
                        .accessDeniedHandler((request, response, ex) -> writer.write(response, request,
                                ErrorCode.FORBIDDEN, "the key '" + keyName() + "' lacks the admin role this endpoint needs")));
        if (!properties.enabled()) {
            http.authorizeHttpRequests(a -> a.anyRequest().permitAll());
            return http.build();
        }
        http.addFilterBefore(new ApiKeyFilter(keys, properties, metrics), AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.PUT, "/v1/experiments/*/weights").hasRole("ADMIN")
                        .requestMatchers("/v1/**").hasAnyRole("CLIENT", "ADMIN")
                        .anyRequest().permitAll());
        return http.build();
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
