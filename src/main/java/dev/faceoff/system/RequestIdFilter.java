package dev.faceoff.system;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.MDC;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id — the caller's {@code X-Request-Id} when it is a plain token, else a new UUID —
 * echoed in the response's {@code X-Request-Id} and put in the log context ({@code request_id}), so every
 * log line of a request names it (the log pattern: {@code logging.pattern.correlation}). First of all
 * filters, so refusals by the security and admission filters carry it too.
 */
@Component
@Order(RequestIdFilter.ORDER)
final class RequestIdFilter extends OncePerRequestFilter {

    /** Before Spring Security's filter chain (-100). */
    static final int ORDER = -110;

    static final String HEADER = "X-Request-Id";
    static final String MDC_KEY = "request_id";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = id(request.getHeader(HEADER));
        response.setHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }

    static String id(String presented) {
        return presented != null && TOKEN.matcher(presented).matches() ? presented : UUID.randomUUID().toString();
    }
}
