package dev.faceoff.subjects;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willThrow;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.ArgumentCaptor;
import org.mockito.Mockito;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.gallery.GalleryStore;
import dev.faceoff.system.FaceoffMetrics;
import dev.faceoff.verification.VerificationService;

/**
 * Web slice: the HTTP contract of /v1/subjects and /v1/identify — validation, status codes, every error as problem+json
 * (503 with Retry-After). The service is replaced here; the real models and store are GalleryEndToEndTest's.
 */
@WebMvcTest({SubjectsController.class, PhotosController.class})
@Import({FaceoffMetrics.class, dev.faceoff.system.ProblemHandlerTestConfig.class})
class SubjectsWebTest {

    static final MockMultipartFile IMAGE = new MockMultipartFile("image", "a.jpg", "image/jpeg", new byte[]{1});
    static final GalleryStore.Subject ALICE = new GalleryStore.Subject("alice", Optional.of("{\"k\":1}"), Instant.EPOCH,
            Instant.EPOCH);

    @Autowired
    MockMvc mvc;

    @MockitoBean
    SubjectsService service;

    @Test
    void putIs201WhenCreatedAnd200WhenItExisted() throws Exception {
        given(service.subject(anyString(), eq("alice"))).willReturn(SubjectResult.of(ALICE, List.of(), List.of("m")));
        given(service.put(anyString(), eq("alice"), any())).willReturn(new GalleryStore.Saved(ALICE, true));
        mvc.perform(put("/v1/subjects/alice").contentType(MediaType.APPLICATION_JSON).content("{\"metadata\": {\"k\": 1}}"))
                .andExpect(status().isCreated()).andExpect(jsonPath("$.subject_id").value("alice"))
                .andExpect(jsonPath("$.metadata.k").value(1)).andExpect(jsonPath("$.missing[0]").value("m"));
        given(service.put(anyString(), eq("alice"), any())).willReturn(new GalleryStore.Saved(ALICE, false));
        mvc.perform(put("/v1/subjects/alice")).andExpect(status().isOk());
        @SuppressWarnings("unchecked")
        ArgumentCaptor<Optional<String>> metadata = ArgumentCaptor.forClass(Optional.class);
        Mockito.verify(service, Mockito.times(2)).put(eq("default"), eq("alice"), metadata.capture());
        org.assertj.core.api.Assertions.assertThat(metadata.getAllValues()).containsExactly(Optional.of("{\"k\":1}"),
                Optional.empty());
    }

    @Test
    void deletesAre204() throws Exception {
        mvc.perform(delete("/v1/subjects/alice")).andExpect(status().isNoContent());
        mvc.perform(delete("/v1/subjects/alice/faces/7")).andExpect(status().isNoContent());
        Mockito.verify(service).deleteFace("default", "alice", 7);
        mvc.perform(delete("/v1/subjects/alice/faces/seven")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid_request"));
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"UNKNOWN_SUBJECT", "INVALID_SUBJECT_ID", "NOT_ENROLLED_FOR_MODEL",
            "MODEL_NOT_CALIBRATED", "STORE_UNAVAILABLE", "LOW_QUALITY", "NO_FACE"})
    void everyServiceErrorIsProblemJsonWithItsCodeAndStatus(ErrorCode code) throws Exception {
        given(service.subject(anyString(), anyString())).willThrow(new FaceoffException(code, "because"));
        given(service.identify(anyString(), any(), any(), any(), any())).willThrow(new FaceoffException(code, "because"));
        given(service.verify(anyString(), anyString(), any(), any())).willThrow(new FaceoffException(code, "because"));
        for (var request : List.of(get("/v1/subjects/alice"), multipart("/v1/identify").file(IMAGE),
                multipart("/v1/subjects/alice/verify").file(IMAGE))) {
            var result = mvc.perform(request).andExpect(status().is(code.status().value()))
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.code").value(code.code()));
            if (code == ErrorCode.STORE_UNAVAILABLE) {
                result.andExpect(header().string("Retry-After", "1"));
            }
        }
    }

    @Test
    void anInvalidSubjectIdIsRefusedBeforeThePhotoIsLookedAt() throws Exception {
        mvc.perform(multipart("/v1/subjects/" + "x".repeat(65) + "/verify").file(IMAGE))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_subject_id"));
        mvc.perform(multipart("/v1/subjects/a b/verify").file(IMAGE))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_subject_id"));
        Mockito.verify(service, Mockito.never()).verify(anyString(), anyString(), any(), any());
    }

    @Test
    void formsAreCheckedLikeVerifys() throws Exception {
        mvc.perform(multipart("/v1/identify?far=1e-3").file(IMAGE))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("unknown field 'far'")));
        mvc.perform(multipart("/v1/subjects/alice/faces?model=m").file(IMAGE))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_request"));
        mvc.perform(post("/v1/identify").contentType(MediaType.APPLICATION_JSON).content("{\"image\": \"aGk=\", \"far\": 0.001}"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_request"));
        mvc.perform(post("/v1/subjects/alice/verify").contentType(MediaType.APPLICATION_JSON).content("{\"image\": \"aGk=\", \"top_k\": 3}"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_request"));
        mvc.perform(post("/v1/identify?top_k=3").contentType(MediaType.APPLICATION_JSON).content("{\"image\": \"aGk=\"}"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_request"));
        mvc.perform(post("/v1/identify").contentType(MediaType.APPLICATION_JSON).content("{\"image\": \"not base64!\"}"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_request"));
        mvc.perform(post("/v1/identify").contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.code").value("invalid_request"));
    }

    @Test
    void identifyPassesItsOptionsAndTheSubjectIsTheStickyKeyOfVerify() throws Exception {
        mvc.perform(multipart("/v1/identify").file(IMAGE).param("top_k", "3").param("fpir", "0.001").param("model", "m"));
        var probe = ArgumentCaptor.forClass(VerificationService.ProbeRequest.class);
        Mockito.verify(service).identify(eq("default"), eq(3), eq(0.001), probe.capture(), any());
        org.assertj.core.api.Assertions.assertThat(probe.getValue().model()).isEqualTo("m");
        mvc.perform(multipart("/v1/subjects/alice/verify").file(IMAGE));
        Mockito.verify(service).verify(eq("default"), eq("alice"), probe.capture(), any());
        org.assertj.core.api.Assertions.assertThat(probe.getValue().keys().fields()).containsEntry("subject", "alice");
    }

    @Test
    void aPageCarriesItsCursor() throws Exception {
        given(service.subjects(anyString(), any(), anyInt())).willReturn(new GalleryStore.Page(List.of(ALICE), Optional.of("alice")));
        mvc.perform(get("/v1/subjects?limit=1")).andExpect(status().isOk())
                .andExpect(jsonPath("$.subjects[0].subject_id").value("alice")).andExpect(jsonPath("$.next").value("alice"));
        mvc.perform(get("/v1/subjects?limit=x")).andExpect(status().isBadRequest());
    }
}
