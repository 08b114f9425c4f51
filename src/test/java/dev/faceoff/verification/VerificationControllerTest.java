package dev.faceoff.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.system.FaceoffMetrics;

/**
 * Web slice: the HTTP contract of /v1/verify and /v1/embed — every error code as problem+json with its
 * status. The service is replaced here; the real models are exercised in VerifyEndToEndTest.
 */
@WebMvcTest(VerificationController.class)
@Import({FaceoffMetrics.class, dev.faceoff.system.ProblemHandlerTestConfig.class})
class VerificationControllerTest {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    VerificationService service;

    static final MockMultipartFile IMAGE1 = new MockMultipartFile("image1", "a.jpg", "image/jpeg", new byte[]{1});
    static final MockMultipartFile IMAGE2 = new MockMultipartFile("image2", "b.jpg", "image/jpeg", new byte[]{2});

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"NO_FACE", "MULTIPLE_FACES", "UNSUPPORTED_IMAGE", "CORRUPT_IMAGE",
            "IMAGE_TOO_LARGE", "UNKNOWN_MODEL", "INVALID_REQUEST", "LOW_QUALITY"})
    void everyServiceErrorIsProblemJsonWithItsCodeAndStatus(ErrorCode code) throws Exception {
        given(service.verify(any(), any())).willThrow(new FaceoffException(code, "because"));
        mvc.perform(multipart("/v1/verify").file(IMAGE1).file(IMAGE2))
                .andExpect(status().is(code.status().value()))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value(code.code()))
                .andExpect(jsonPath("$.detail").value("because"))
                .andExpect(jsonPath("$.status").value(code.status().value()));
    }

    @Test
    void missingImageIsInvalidRequest() throws Exception {
        mvc.perform(multipart("/v1/verify").file(IMAGE1))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid_request"))
                .andExpect(jsonPath("$.detail").value("missing multipart field 'image2'"));
    }

    @Test
    void nonNumericFarIsInvalidRequest() throws Exception {
        mvc.perform(multipart("/v1/verify").file(IMAGE1).file(IMAGE2).param("far", "often"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_request"));
    }

    @Test
    void jsonWithoutImagesIsInvalidRequest() throws Exception {
        mvc.perform(post("/v1/verify").contentType(MediaType.APPLICATION_JSON).content("{\"image1\": \"aGk=\"}"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_request"));
    }

    @Test
    void malformedJsonIsInvalidRequest() throws Exception {
        mvc.perform(post("/v1/verify").contentType(MediaType.APPLICATION_JSON).content("{\"image1\": "))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_request"));
    }

    @Test
    void invalidBase64IsInvalidRequest() throws Exception {
        mvc.perform(post("/v1/verify").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"image1\": \"***\", \"image2\": \"aGk=\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("image1 is not valid base64"));
    }

    @Test
    void oversizedJsonBodyIsPayloadTooLarge() throws Exception {
        byte[] body = new byte[22 * 1024 * 1024];
        java.util.Arrays.fill(body, (byte) 'A');
        mvc.perform(post("/v1/verify").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isContentTooLarge())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.code").value("payload_too_large"));
    }

    @Test
    void unsupportedContentTypeIs415() throws Exception {
        mvc.perform(post("/v1/verify").contentType(MediaType.TEXT_PLAIN).content("hello"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(jsonPath("$.code").value("unsupported_media_type"));
    }

    @Test
    void wrongMethodIs405() throws Exception {
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/v1/verify"))
                .andExpect(status().isMethodNotAllowed()).andExpect(jsonPath("$.code").value("method_not_allowed"));
    }

    @Test
    void theSubjectAndTheXHeadersAreExperimentKeysInEitherForm() throws Exception {
        var verified = ArgumentCaptor.forClass(VerificationService.Request.class);
        var compared = ArgumentCaptor.forClass(VerificationService.CompareRequest.class);
        given(service.verify(verified.capture(), any())).willThrow(new FaceoffException(ErrorCode.NO_FACE, "none"));
        given(service.compare(compared.capture(), any())).willThrow(new FaceoffException(ErrorCode.NO_FACE, "none"));
        mvc.perform(multipart("/v1/verify").file(IMAGE1).file(IMAGE2).param("subject", "s-1").header("X-Tenant", "t"));
        mvc.perform(post("/v1/verify").contentType(MediaType.APPLICATION_JSON).header("X-Tenant", "t")
                .content("{\"image1\": \"aGk=\", \"image2\": \"aGk=\", \"subject\": \"s-1\"}"));
        mvc.perform(multipart("/v1/verify").file(IMAGE1).file(IMAGE2));
        mvc.perform(multipart("/v1/compare").file(new MockMultipartFile("probe", new byte[]{1}))
                .file(new MockMultipartFile("candidates", new byte[]{2})).param("subject", "s-1"));
        mvc.perform(post("/v1/compare").contentType(MediaType.APPLICATION_JSON)
                .content("{\"probe\": \"aGk=\", \"candidates\": [\"aGk=\"]}"));

        var subject = Map.of("subject", "s-1");
        assertThat(verified.getAllValues()).extracting(r -> r.keys().fields()).containsExactly(subject, subject, Map.of());
        assertThat(verified.getAllValues()).extracting(r -> r.keys().headers().get("x-tenant"))
                .containsExactly("t", "t", null);
        assertThat(compared.getAllValues()).extracting(r -> r.keys().fields()).containsExactly(subject, Map.of());
    }

    @Test
    void dataUrlPrefixIsAccepted() {
        assertThat(RequestForms.base64(Base64Image.of("data:image/jpeg;base64,aGk="), "x"))
                .containsExactly('h', 'i');
    }

    @Test
    void base64WithLineBreaksIsAcceptedAndBrokenBase64Refused() {
        assertThat(RequestForms.base64(Base64Image.of("aGVs\r\nbG8g\n d29y bGQ="), "x"))
                .containsExactly("hello world".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RequestForms.base64(Base64Image.of("aGVs*bG8="), "image1"))
                .isInstanceOf(dev.faceoff.common.FaceoffException.class).hasMessageContaining("image1 is not valid base64");
    }
}
