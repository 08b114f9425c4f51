package dev.faceoff.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.faceoff.common.Digests;
import dev.faceoff.system.Caller;

/**
 * With API keys off: a request whose {@code X-Admin-Key} is {@code faceoff.security.admin-key} is authenticated
 * as {@value #NAME} with role {@code admin}, of tenant {@value Caller#DEFAULT_TENANT} like every request with keys off. Any other request goes on unauthenticated and the authorisation
 * rules decide ({@link SecurityConfiguration}): a wrong key is never let through, nor refused here. The
 * comparison runs in constant time, on SHA-256 digests.
 */
final class AdminKeyFilter extends OncePerRequestFilter {

    static final String HEADER = "X-Admin-Key";
    static final String NAME = "admin-key";
    private static final Logger log = LoggerFactory.getLogger(AdminKeyFilter.class);

    private final byte[] expected;

    /** @param key the configured admin key, not empty */
    AdminKeyFilter(String key) {
        this.expected = sha256(key);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(HEADER);
        if (presented != null && MessageDigest.isEqual(expected, sha256(presented))) {
            ApiKeyFilter.authenticate(new Caller(NAME, Caller.DEFAULT_TENANT), ApiKeyProperties.Role.ADMIN);
        } else if (presented != null) {
            log.warn("a wrong {} from {}", HEADER, request.getRemoteAddr());
        }
        chain.doFilter(request, response);
    }

    private static byte[] sha256(String key) {
        return Digests.sha256().digest(key.getBytes(StandardCharsets.UTF_8));
    }
}
