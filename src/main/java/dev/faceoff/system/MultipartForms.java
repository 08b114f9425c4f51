package dev.faceoff.system;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;
import org.springframework.web.multipart.MultipartResolver;
import org.springframework.web.multipart.support.DefaultMultipartHttpServletRequest;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Reads multipart uploads for the dispatcher (the bean it asks for by name): the body read whole, at most
 * {@code spring.servlet.multipart.max-request-size} (a declared length over it is refused before a byte is read),
 * then split by {@link MultipartBody}. Spring Boot's own multipart support is off
 * ({@code spring.servlet.multipart.enabled: false}), so Tomcat never parses a body itself; the limits keep their
 * keys: {@code spring.servlet.multipart.max-file-size} and {@code max-request-size},
 * {@code server.tomcat.max-part-count} and {@code max-part-header-size}.
 */
@Component(DispatcherServlet.MULTIPART_RESOLVER_BEAN_NAME)
final class MultipartForms implements MultipartResolver {

    private final long maxRequestBytes;
    private final MultipartBody.Limits limits;

    MultipartForms(@Value("${spring.servlet.multipart.max-request-size:21MB}") DataSize maxRequest,
                   @Value("${spring.servlet.multipart.max-file-size:21MB}") DataSize maxFile,
                   @Value("${server.tomcat.max-part-count:50}") int maxParts,
                   @Value("${server.tomcat.max-part-header-size:512B}") DataSize maxPartHeader) {
        this.maxRequestBytes = Math.min(maxRequest.toBytes(), Integer.MAX_VALUE - 16);
        this.limits = new MultipartBody.Limits(maxFile.toBytes(), maxParts, (int) Math.min(maxPartHeader.toBytes(), 1 << 20));
    }

    @Override
    public boolean isMultipart(HttpServletRequest request) {
        return StringUtils.startsWithIgnoreCase(request.getContentType(), "multipart/");
    }

    @Override
    public MultipartHttpServletRequest resolveMultipart(HttpServletRequest request) throws MultipartException {
        String boundary = MultipartBody.boundary(request.getContentType());
        byte[] body = read(request);
        return new FormRequest(request, MultipartBody.parse(body, body.length, boundary, limits));
    }

    @Override
    public void cleanupMultipart(MultipartHttpServletRequest request) {
        // parts live in memory only: nothing to delete
    }

    /** The body, whole: its declared length at once, or (chunked) in growing steps up to the limit. */
    private byte[] read(HttpServletRequest request) {
        long declared = request.getContentLengthLong();
        if (declared > maxRequestBytes) {
            throw new MaxUploadSizeExceededException(maxRequestBytes);
        }
        try (InputStream in = request.getInputStream()) {
            if (declared >= 0) {
                byte[] body = new byte[(int) declared];
                int n = in.readNBytes(body, 0, body.length);
                if (n < body.length) {
                    throw new MultipartException("the body ended before its declared length");
                }
                return body;
            }
            byte[] body = new byte[64 * 1024];
            int n = 0;
            while (true) {
                if (n == body.length) {
                    if (n > maxRequestBytes) {
                        throw new MaxUploadSizeExceededException(maxRequestBytes);
                    }
                    body = Arrays.copyOf(body, (int) Math.min((long) n * 2, maxRequestBytes + 1));
                }
                int r = in.read(body, n, body.length - n);
                if (r < 0) {
                    return Arrays.copyOf(body, n);
                }
                n += r;
            }
        } catch (IOException e) {
            throw new MultipartException("the multipart body cannot be read", e);
        }
    }

    /** The request with its parts: files by name, fields as parameters (beside the query's), every part in order. */
    static final class FormRequest extends DefaultMultipartHttpServletRequest {

        private final List<FormPart> parts;

        FormRequest(HttpServletRequest request, List<FormPart> parts) {
            super(request, files(parts), fields(parts), contentTypes(parts));
            this.parts = parts;
        }

        private static MultiValueMap<String, MultipartFile> files(List<FormPart> parts) {
            var files = new LinkedMultiValueMap<String, MultipartFile>();
            parts.stream().filter(FormPart::isFile).forEach(p -> files.add(p.getName(), p));
            return files;
        }

        private static Map<String, String[]> fields(List<FormPart> parts) {
            var fields = new LinkedHashMap<String, String[]>();
            for (FormPart p : parts) {
                if (!p.isFile()) {
                    String[] before = fields.getOrDefault(p.getName(), new String[0]);
                    String[] values = Arrays.copyOf(before, before.length + 1);
                    values[before.length] = p.text();
                    fields.put(p.getName(), values);
                }
            }
            return fields;
        }

        private static Map<String, String> contentTypes(List<FormPart> parts) {
            var types = new LinkedHashMap<String, String>();
            parts.stream().filter(p -> !p.isFile() && p.getContentType() != null)
                    .forEach(p -> types.putIfAbsent(p.getName(), p.getContentType()));
            return types;
        }

        @Override
        public Collection<Part> getParts() {
            return List.copyOf(parts);
        }

        @Override
        public Part getPart(String name) {
            return parts.stream().filter(p -> p.getName().equals(name)).findFirst().orElse(null);
        }
    }
}
