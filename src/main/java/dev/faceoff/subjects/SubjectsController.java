package dev.faceoff.subjects;

import java.util.Optional;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.Problems;
import dev.faceoff.system.Caller;

/**
 * {@code /v1/subjects}: the caller's tenant's subjects, created, read, paged and erased, and their faces deleted; the
 * endpoints that take a photo are {@link PhotosController}'s.
 */
@RestController
@ConditionalOnBooleanProperty(name = "faceoff.gallery.enabled", matchIfMissing = true)
@Tag(name = "subjects", description = "Enrolled subjects: enrol faces, verify against a subject, identify among them")
@Problems({ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_SUBJECT_ID, ErrorCode.STORE_UNAVAILABLE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.PAYLOAD_TOO_LARGE})
class SubjectsController {

    private final SubjectsService service;

    SubjectsController(SubjectsService service) {
        this.service = service;
    }

    /** The optional body of PUT /v1/subjects/{subject_id}. */
    record SubjectBody(@Schema(description = "a JSON object of at most 4 KB, kept with the subject") JsonNode metadata) {
    }

    @Operation(summary = "Create a subject (or replace its metadata)",
            description = "Idempotent: 201 when created, 200 when it existed (its metadata replaced by the body's, if any).")
    @PutMapping(path = "/v1/subjects/{subject_id}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<SubjectResult> put(@PathVariable("subject_id") String subjectId,
                                      @RequestBody(required = false) SubjectBody body) {
        Optional<String> metadata = Optional.ofNullable(body).map(SubjectBody::metadata).filter(m -> !m.isNull())
                .map(JsonNode::toString);
        var saved = service.put(tenant(), subjectId, metadata);
        return ResponseEntity.status(saved.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .body(service.subject(tenant(), subjectId));
    }

    @Operation(summary = "A subject: its faces, the models it has templates for, the gallery models it lacks")
    @Problems({ErrorCode.UNKNOWN_SUBJECT})
    @GetMapping(path = "/v1/subjects/{subject_id}", produces = MediaType.APPLICATION_JSON_VALUE)
    SubjectResult get(@PathVariable("subject_id") String subjectId) {
        return service.subject(tenant(), subjectId);
    }

    @Operation(summary = "The tenant's subjects, in subject-id order",
            description = "A page of at most `limit` (1-1000, default 100); `next` is the `after` of the following page.")
    @GetMapping(path = "/v1/subjects", produces = MediaType.APPLICATION_JSON_VALUE)
    SubjectResult.Page list(@RequestParam(name = "limit", defaultValue = "100") int limit,
                            @RequestParam(name = "after", required = false) String after) {
        return SubjectResult.Page.of(service.subjects(tenant(), Optional.ofNullable(after), limit));
    }

    @Operation(summary = "Erase a subject", description = "The subject, its faces and every template, in one transaction.")
    @Problems({ErrorCode.UNKNOWN_SUBJECT})
    @DeleteMapping("/v1/subjects/{subject_id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable("subject_id") String subjectId) {
        service.delete(tenant(), subjectId);
    }

    @Operation(summary = "Delete one face of a subject (and its templates)")
    @Problems({ErrorCode.UNKNOWN_SUBJECT, ErrorCode.UNKNOWN_FACE})
    @DeleteMapping("/v1/subjects/{subject_id}/faces/{face_id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteFace(@PathVariable("subject_id") String subjectId, @PathVariable("face_id") long faceId) {
        service.deleteFace(tenant(), subjectId, faceId);
    }

    /** The one place the caller's tenant is read: its API key's (keys off: {@code default}). */
    static String tenant() {
        return Caller.current().tenant();
    }
}
