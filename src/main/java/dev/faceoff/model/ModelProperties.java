package dev.faceoff.model;

import java.nio.file.Path;
import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.models.*}: where the model store is and which models play which part.
 *
 * @param dir the model store, one folder per model
 * @param detector the face detector's folder name
 * @param landmarks the landmark model's folder name
 * @param defaultEmbedding the embedding model used when a request names none and no experiment routes it
 * @param include embedding models to load, as names or globs ({@code *-ft}); empty: every embedding model in the store
 * @param exclude embedding models not to load, as names or globs (applied after {@code include})
 */
@Validated
@ConfigurationProperties("faceoff.models")
public record ModelProperties(
        @NotNull @DefaultValue("models") Path dir,
        @NotBlank @DefaultValue("detector-yunet") String detector,
        @NotBlank @DefaultValue("landmarks-68") String landmarks,
        @NotBlank @DefaultValue("mobilefacenet-faceplugin") String defaultEmbedding,
        @DefaultValue List<String> include,
        @DefaultValue List<String> exclude) {

    /** Whether the embedding model {@code name} is to be loaded: it matches an include (or none is set) and no exclude. */
    public boolean loads(String name) {
        boolean anyInclude = include.stream().anyMatch(g -> !g.isBlank());
        return (!anyInclude || matchesAny(include, name)) && !matchesAny(exclude, name);
    }

    private static boolean matchesAny(List<String> globs, String name) {
        for (String glob : globs) {
            if (glob.isBlank()) {
                continue;   // "--faceoff.models.include=" (empty) means: no filter
            }
            if (java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob.strip()).matches(Path.of(name))) {
                return true;
            }
        }
        return false;
    }
}
