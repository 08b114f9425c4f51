package dev.faceoff.system;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Request metrics of the API endpoints, in one place: in-flight gauge, and on completion
 * {@code faceoff.requests} tagged with the endpoint, the request's model and variant ({@link RequestScope})
 * and its outcome ({@code ok} or the error code). Controllers only fill the scope.
 */
@Configuration(proxyBeanMethods = false)
class RequestMetrics implements WebMvcConfigurer {

    /** Metered path → endpoint tag. */
    static final Map<String, String> ENDPOINTS = Map.of("/v1/verify", "verify", "/v1/compare", "compare", "/v1/embed", "embed",
            "/v1/feedback", "feedback");

    private final FaceoffMetrics metrics;

    RequestMetrics(FaceoffMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new Interceptor()).addPathPatterns(ENDPOINTS.keySet().toArray(String[]::new));
    }

    private final class Interceptor implements HandlerInterceptor {

        private static final String START = RequestMetrics.class.getName() + ".start";

        @Override
        public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
            request.setAttribute(START, System.nanoTime());
            RequestScope.of(request);
            metrics.requestStarted();
            return true;
        }

        @Override
        public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
                                    Exception ex) {
            if (!(request.getAttribute(START) instanceof Long start)) {
                return;
            }
            RequestScope scope = RequestScope.of(request);
            String endpoint = ENDPOINTS.getOrDefault(request.getRequestURI(), "other");
            metrics.requestFinished(endpoint, scope.variant(), scope.outcome(response.getStatus()),
                    System.nanoTime() - start);
        }
    }
}
