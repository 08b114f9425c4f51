package dev.faceoff.system;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;

/**
 * A multipart/form-data body (RFC 7578; RFC 2046 section 5.1) split into its parts, read whole from one array:
 * the delimiter ({@code CRLF--boundary}) is found by Boyer-Moore-Horspool, which on a photo's bytes looks at
 * about one byte in every boundary's length (Tomcat's parser compares every byte with the boundary: 20.5 of a
 * textured 12 MP pair's 155 CPU-ms in {@code bench/pair-profile.sh textured-multipart}). Each part's bytes are
 * copied once, into an array of their own.
 * <p>Strict where a form could be cut short: the body must end with the closing delimiter (an upload that
 * stopped early is refused, not read as the parts it got to); a preamble before the first delimiter and an
 * epilogue after the last are ignored, as the RFC says; a part without a name is skipped.
 */
final class MultipartBody {

    /**
     * @param maxPartBytes the most bytes one part may have ({@code spring.servlet.multipart.max-file-size})
     * @param maxParts     the most parts ({@code server.tomcat.max-part-count})
     * @param maxHeaderBytes the most bytes of one part's headers ({@code server.tomcat.max-part-header-size})
     */
    record Limits(long maxPartBytes, int maxParts, int maxHeaderBytes) {
    }

    /** A body that is not a well-formed form: its message says why, and names nothing of the request's content. */
    static final class Malformed extends MultipartException {
        Malformed(String message) {
            super(message);
        }
    }

    private MultipartBody() {
    }

    /** The boundary of a multipart content type, or a {@link Malformed} where it has none. */
    static String boundary(String contentType) {
        String boundary;
        try {
            boundary = MediaType.parseMediaType(contentType).getParameter("boundary");
        } catch (IllegalArgumentException e) {
            throw new Malformed("the content type cannot be parsed");
        }
        if (boundary != null && boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
            boundary = boundary.substring(1, boundary.length() - 1);
        }
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
            throw new Malformed("the content type has no boundary (1 to 200 characters)");
        }
        return boundary;
    }

    /** The parts of {@code body[0, length)}, in order. */
    static List<FormPart> parse(byte[] body, int length, String boundary, Limits limits) {
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int[] skip = skipTable(delimiter);
        // the first dash-boundary: at the very start, or after a preamble (its CRLF belongs to the delimiter)
        int at = matches(body, 0, length, delimiter, 2) ? -2 : find(body, 0, length, delimiter, skip);
        if (at == -1) {
            throw new Malformed("no boundary in the body");
        }
        var parts = new ArrayList<FormPart>();
        int seen = 0;   // nameless parts count too: each costs its headers' parse
        while (true) {
            int p = at + delimiter.length;
            if (p + 2 <= length && body[p] == '-' && body[p + 1] == '-') {
                return parts;   // the close delimiter; an epilogue may follow
            }
            while (p < length && (body[p] == ' ' || body[p] == '\t')) {
                p++;   // transport padding
            }
            if (p + 2 > length || body[p] != '\r' || body[p + 1] != '\n') {
                throw new Malformed("a boundary is not followed by a line break");
            }
            p += 2;
            var headers = new HttpHeaders();
            int start = headers(body, p, length, limits.maxHeaderBytes(), headers);
            int end = find(body, start, length, delimiter, skip);
            if (end < 0) {
                throw new Malformed("the body ends inside a part (no closing boundary)");
            }
            if (end - start > limits.maxPartBytes()) {
                throw new MaxUploadSizeExceededException(limits.maxPartBytes());
            }
            if (++seen > limits.maxParts()) {
                throw new Malformed("more than " + limits.maxParts() + " parts");
            }
            FormPart part = part(headers, body, start, end);
            if (part != null) {
                parts.add(part);
            }
            at = end;
        }
    }

    /** A part from its headers and bytes, or null when it has no name (a part no field can ask for). */
    private static FormPart part(HttpHeaders headers, byte[] body, int start, int end) {
        String disposition = headers.getFirst(HttpHeaders.CONTENT_DISPOSITION);
        if (disposition == null) {
            return null;
        }
        ContentDisposition parsed;
        try {
            parsed = ContentDisposition.parse(disposition);
        } catch (IllegalArgumentException e) {
            throw new Malformed("a part's Content-Disposition cannot be parsed");
        }
        if (parsed.getName() == null) {
            return null;
        }
        return new FormPart(parsed.getName(), parsed.getFilename(), headers, Arrays.copyOfRange(body, start, end));
    }

    /**
     * Reads the header lines from {@code p} into {@code headers} (a line that starts with white space continues
     * the one before); where the part's content starts, after the empty line.
     */
    private static int headers(byte[] body, int p, int length, int maxBytes, HttpHeaders headers) {
        int from = p;
        String name = null;
        StringBuilder value = null;
        while (true) {
            int eol = lineEnd(body, p, Math.min(length, from + maxBytes + 2));
            if (eol < 0) {
                throw new Malformed(from + maxBytes + 2 < length ? "a part's headers are over " + maxBytes + " bytes"
                        : "the body ends inside a part's headers");
            }
            if (eol == p) {
                if (name != null) {
                    headers.add(name, value.toString().strip());
                }
                return eol + 2;
            }
            String line = new String(body, p, eol - p, StandardCharsets.UTF_8);
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                value.append(' ').append(line.strip());
            } else {
                if (name != null) {
                    headers.add(name, value.toString().strip());
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new Malformed("a part's header line has no name");
                }
                name = line.substring(0, colon).strip();
                value = new StringBuilder(line.substring(colon + 1));
            }
            p = eol + 2;
        }
    }

    /** Where the CRLF that ends the line at {@code p} is, or -1 when there is none before {@code end}. */
    private static int lineEnd(byte[] body, int p, int end) {
        for (int i = p; i + 1 < end; i++) {
            if (body[i] == '\r' && body[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean matches(byte[] body, int at, int length, byte[] pattern, int from) {
        if (at + pattern.length - from > length) {
            return false;
        }
        for (int i = from; i < pattern.length; i++) {
            if (body[at + i - from] != pattern[i]) {
                return false;
            }
        }
        return true;
    }

    /** Horspool's shift for each byte value: how far the pattern may move when that byte is under its end. */
    static int[] skipTable(byte[] pattern) {
        int[] skip = new int[256];
        Arrays.fill(skip, pattern.length);
        for (int i = 0; i < pattern.length - 1; i++) {
            skip[pattern[i] & 0xFF] = pattern.length - 1 - i;
        }
        return skip;
    }

    /** The first place of {@code pattern} in {@code body[from, length)}, or -1. */
    static int find(byte[] body, int from, int length, byte[] pattern, int[] skip) {
        int last = pattern.length - 1;
        byte end = pattern[last];
        for (int i = from + last; i < length; i += skip[body[i] & 0xFF]) {
            if (body[i] != end) {
                continue;
            }
            int k = 1;
            while (k <= last && body[i - k] == pattern[last - k]) {
                k++;
            }
            if (k > last) {
                return i - last;
            }
        }
        return -1;
    }
}
