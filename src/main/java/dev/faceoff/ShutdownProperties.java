package dev.faceoff;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The graceful shutdown's first step ({@link OrderedShutdown}).
 *
 * @param readinessDelay on SIGTERM, how long readiness answers DOWN while the instance still accepts and serves
 *                       requests, before the web server stops accepting: time for a load balancer that health-checks
 *                       readiness (HAProxy, deploy/haproxy/haproxy.cfg) to stop sending new requests, so that none
 *                       meets the closing socket. 0: stop accepting at once (Kubernetes' preStop sleep does this job)
 */
@ConfigurationProperties("faceoff.shutdown")
public record ShutdownProperties(@DefaultValue("0s") Duration readinessDelay) {
}
