package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.json.JsonMapper;
import dev.faceoff.common.ErrorCode;

class ProblemWriterTest {

    @Test
    void writesValidProblemJsonWhateverTheDetailHolds() throws Exception {
        var registry = new SimpleMeterRegistry();
        var writer = new ProblemWriter(new FaceoffMetrics(registry));
        var request = new MockHttpServletRequest("POST", "/v1/verify");
        var response = new MockHttpServletResponse();
        String detail = "quote \" backslash \\ newline \n tab \t control \u0001 é";

        writer.write(response, request, ErrorCode.PAYLOAD_TOO_LARGE, detail);

        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        Map<?, ?> body = JsonMapper.shared().readValue(response.getContentAsString(), Map.class);
        assertThat(body.get("detail")).isEqualTo(detail);
        assertThat(body.get("code")).isEqualTo("payload_too_large");
        assertThat(body.get("status")).isEqualTo(413);
        assertThat(body.get("instance")).isEqualTo("/v1/verify");
        assertThat(body.get("type")).isEqualTo(ProblemHandler.type(ErrorCode.PAYLOAD_TOO_LARGE).toString());
        assertThat(registry.find("faceoff.errors").counters()).isNotEmpty();
    }
}
