package dev.faceoff.security;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import org.slf4j.MDC;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.system.Caller;
import dev.faceoff.system.FaceoffMetrics;
import dev.faceoff.system.ProblemWriter;

/**
 * Authenticates a request by its API key ({@code Authorization: Bearer <key>} or {@code X-API-Key}) and holds
 * it to its key's rate (resilience4j, one limiter per key: {@code rate} requests per second, no waiting): over
 * it, 429 {@code rate_limited} with {@code Retry-After}. A wrong key is refused at once (401); a request
 * without one goes on, and the authorisation rules decide ({@link SecurityConfiguration}). The request's
 * {@link Caller} is the key's name and tenant. The key's
 * name — never the key — goes into the log context ({@code key}) and the metrics.
 */
final class ApiKeyFilter extends OncePerRequestFilter {

    static final String MDC_KEY = "key";

    private final ApiKeys keys;
    private final RateLimiterRegistry limiters;
    private final int defaultRate;
    private final FaceoffMetrics metrics;
    private final ProblemWriter writer;

    ApiKeyFilter(ApiKeys keys, ApiKeyProperties properties, FaceoffMetrics metrics) {
        this.keys = keys;
        this.defaultRate = properties.defaultRate();
        this.limiters = RateLimiterRegistry.ofDefaults();
        this.metrics = metrics;
        this.writer = new ProblemWriter(metrics);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = presented(request);
        if (presented == null) {
            chain.doFilter(request, response);
            return;
        }
        var key = keys.find(presented);
        if (key.isEmpty()) {
            metrics.apiKey("unknown", "refused");
            writer.write(response, request, ErrorCode.UNAUTHORIZED, "unknown API key");
            return;
        }
        var k = key.get();
        if (!limiter(k).acquirePermission()) {
            metrics.apiKey(k.name(), "rate_limited");
            writer.write(response, request, ErrorCode.RATE_LIMITED, "key '" + k.name() + "' is over its rate of "
                    + rate(k) + " requests per second");
            return;
        }
        metrics.apiKey(k.name(), "accepted");
        authenticate(new Caller(k.name(), k.tenant()), k.role());
        MDC.put(MDC_KEY, k.name());
        try {
            chain.doFilter(request, response);
        } finally {
            // the context stays for the access-denied handler further out; SecurityContextHolderFilter clears it
            MDC.remove(MDC_KEY);
        }
    }

    /** This request is {@code caller}'s with {@code role}, for the authorisation rules and the controllers ({@link Caller#current()}). */
    static void authenticate(Caller caller, ApiKeyProperties.Role role) {
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(caller, null,
                List.of(new SimpleGrantedAuthority("ROLE_" + role.name()))));
        SecurityContextHolder.setContext(context);
    }

    private RateLimiter limiter(ApiKeyProperties.Key key) {
        return limiters.rateLimiter(key.name(), () -> RateLimiterConfig.custom()
                .limitForPeriod(rate(key)).limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build());
    }

    private int rate(ApiKeyProperties.Key key) {
        return key.rate() != null ? key.rate() : defaultRate;
    }

    /** The key of {@code Authorization: Bearer <key>}, else of {@code X-API-Key}; null when neither is sent. */
    static String presented(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        String header = request.getHeader("X-API-Key");
        return header == null ? null : header.strip();
    }
}
