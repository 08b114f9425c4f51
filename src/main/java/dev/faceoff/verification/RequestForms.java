package dev.faceoff.verification;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.multipart.MultipartFile;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.experiment.RequestKeys;

/**
 * The forms of the image endpoints, read one way (verification's and the gallery's): a multipart form's fields
 * checked, a JSON request's options in its body, base64 images, the keys an experiment may hash.
 */
public final class RequestForms {

    /** Fields a form may repeat. */
    private static final java.util.Set<String> REPEATABLE = java.util.Set.of("candidates");

    private RequestForms() {
    }

    /** Refuses a multipart form with an unknown field or a field given twice (in the query and the form, or twice). */
    public static void checkForm(HttpServletRequest http, java.util.Set<String> known) {
        var counts = new java.util.TreeMap<String, Integer>();
        try {
            for (var part : http.getParts()) {
                counts.merge(part.getName(), 1, Integer::sum);
            }
        } catch (IOException | jakarta.servlet.ServletException e) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "the multipart body cannot be read");
        }
        // query parameters (form fields are parameters too: counted once, as parts)
        String query = http.getQueryString();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (!pair.isEmpty()) {
                    String name = java.net.URLDecoder.decode(pair.split("=", 2)[0], java.nio.charset.StandardCharsets.UTF_8);
                    counts.merge(name, 1, Integer::sum);
                }
            }
        }
        counts.forEach((name, n) -> {
            if (!known.contains(name)) {
                throw new FaceoffException(ErrorCode.INVALID_REQUEST, "unknown field '" + name + "'; the fields are "
                        + new java.util.TreeSet<>(known));
            }
            if (n > 1 && !REPEATABLE.contains(name)) {
                throw new FaceoffException(ErrorCode.INVALID_REQUEST, "field '" + name + "' given " + n
                        + " times (in the query and the form, or twice)");
            }
        });
    }

    /** A JSON request takes its options in the body: a query parameter would otherwise be ignored. */
    public static void checkNoQuery(HttpServletRequest http) {
        if (http.getQueryString() != null && !http.getQueryString().isEmpty()) {
            String first = http.getQueryString().split("&")[0].split("=", 2)[0];
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "a JSON request takes its options in the body; "
                    + "move query parameter '" + first + "' into it");
        }
    }

    /**
     * What an experiment may key on, read once per request whatever its form: the X- headers and the fields (the
     * subject, when given: {@code sticky-key: field:subject}).
     */
    public static RequestKeys keys(HttpServletRequest http, String subject) {
        Map<String, String> fields = subject == null ? Map.of() : Map.of("subject", subject);
        var headers = new LinkedHashMap<String, String>();
        var names = http.getHeaderNames();
        while (names != null && names.hasMoreElements()) {
            String name = names.nextElement();
            if (name.toLowerCase(java.util.Locale.ROOT).startsWith("x-")) {
                headers.put(name.toLowerCase(java.util.Locale.ROOT), http.getHeader(name));
            }
        }
        return new RequestKeys(headers, fields);
    }

    public static byte[] bytes(MultipartFile file, String field) {
        try {
            return file.getBytes();
        } catch (IOException e) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "could not read part '" + field + "'");
        }
    }

    /** A JSON body's image, decoded as it was read; null (an absent list element) is empty. */
    public static byte[] base64(Base64Image image, String field) {
        if (image != null && !image.valid()) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, field + " is not valid base64");
        }
        if (image == null || image.bytes().length == 0) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, field + " is empty");
        }
        return image.bytes();
    }
}
