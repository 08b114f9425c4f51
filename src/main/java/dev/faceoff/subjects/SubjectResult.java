package dev.faceoff.subjects;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.gallery.GalleryStore;

/**
 * A subject as the API shows it: its metadata, its faces (id, quality, when enrolled, with which models), the models
 * it has templates for and the gallery models it lacks ({@code missing}: a request routed to one gets 409).
 */
record SubjectResult(String subjectId, JsonNode metadata, Instant createdAt, Instant updatedAt, List<Face> faces,
                     List<String> models, List<String> missing) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Face(long faceId, double quality, Instant createdAt, List<String> models) {
    }

    /** A subject of a page: no faces. */
    record Summary(String subjectId, JsonNode metadata, Instant createdAt, Instant updatedAt) {

        static Summary of(GalleryStore.Subject s) {
            return new Summary(s.id(), SubjectResult.metadataOf(s), s.createdAt(), s.updatedAt());
        }
    }

    /** A page of subjects, in subject-id order; {@code next}: the {@code after} of the following page, if any. */
    record Page(List<Summary> subjects, String next) {

        static Page of(GalleryStore.Page page) {
            return new Page(page.subjects().stream().map(Summary::of).toList(), page.next().orElse(null));
        }
    }

    static SubjectResult of(GalleryStore.Subject s, List<GalleryStore.Face> faces, List<String> galleryModels) {
        var have = SubjectsService.union(faces);
        return new SubjectResult(s.id(), metadataOf(s), s.createdAt(), s.updatedAt(),
                faces.stream().map(f -> new Face(f.id(), SubjectsService.round(f.quality()), f.createdAt(),
                        List.copyOf(new java.util.TreeSet<>(f.models())))).toList(),
                List.copyOf(have), SubjectsService.missing(galleryModels, have));
    }

    private static JsonNode metadataOf(GalleryStore.Subject s) {
        return s.metadata().map(JSON::readTree).orElse(null);
    }
}
