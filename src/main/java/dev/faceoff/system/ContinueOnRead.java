package dev.faceoff.system;

import org.apache.catalina.connector.Connector;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.stereotype.Component;

/**
 * Tomcat answers {@code Expect: 100-continue} when the body is first read, not as soon as the headers arrive
 * ({@code continueResponseTiming=onRead}): a request refused before its body is read (admission control's
 * {@link AdmissionFilter}, {@link PayloadLimitFilter}) is then refused before a client that asked sends its body.
 * curl asks for bodies over 1 MB: measured on 200 refusals of an 8 MB upload, it sent none of it instead of
 * 0.3 MiB on average (it stops sending on the early 503 either way). Clients that do not ask are unaffected.
 */
@Component
final class ContinueOnRead implements TomcatConnectorCustomizer {

    @Override
    public void customize(Connector connector) {
        connector.setProperty("continueResponseTiming", "onRead");
    }
}
