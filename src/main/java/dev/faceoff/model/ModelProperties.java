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
 * @param enabled embedding models to load (empty: every embedding model in the store)
 */
@Validated
@ConfigurationProperties("faceoff.models")
public record ModelProperties(
        @NotNull @DefaultValue("models") Path dir,
        @NotBlank @DefaultValue("detector-yunet") String detector,
        @NotBlank @DefaultValue("landmarks-68") String landmarks,
        @NotBlank @DefaultValue("mobilefacenet-faceplugin") String defaultEmbedding,
        @DefaultValue List<String> enabled) {
}
