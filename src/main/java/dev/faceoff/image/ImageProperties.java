package dev.faceoff.image;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code faceoff.image.*}: limits checked before an image is fully decoded.
 *
 * @param maxBytes largest encoded image accepted
 * @param maxPixels largest width × height accepted (read from the header)
 */
@Validated
@ConfigurationProperties("faceoff.image")
public record ImageProperties(
        @DefaultValue("10MB") DataSize maxBytes,
        @Min(1) @DefaultValue("40000000") long maxPixels) {
}
