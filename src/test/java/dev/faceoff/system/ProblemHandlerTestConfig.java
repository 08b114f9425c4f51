package dev.faceoff.system;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** Brings the package-private error handling, admission control and a meter registry into web-slice tests. */
@TestConfiguration
@Import({ProblemHandler.class, PayloadLimitFilter.class, Admission.class})
@org.springframework.boot.context.properties.EnableConfigurationProperties({LimitsProperties.class,
        dev.faceoff.image.ImageProperties.class})
public class ProblemHandlerTestConfig {

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }
}
