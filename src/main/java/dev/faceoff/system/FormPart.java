package dev.faceoff.system;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

import jakarta.servlet.http.Part;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.multipart.MultipartFile;

/**
 * One part of a multipart form ({@link MultipartBody}), in memory only: a file for the controllers
 * ({@link MultipartFile}) and a part for the servlet API ({@link Part}). Never written anywhere: an image lives
 * as long as its request ({@link #transferTo} and {@link #write} refuse).
 */
final class FormPart implements MultipartFile, Part {

    private final String name;
    private final String filename;
    private final HttpHeaders headers;
    private final byte[] bytes;

    /** @param filename the part's file name, "" when given empty, null when it is a plain field */
    FormPart(String name, String filename, HttpHeaders headers, byte[] bytes) {
        this.name = name;
        this.filename = filename;
        this.headers = headers;
        this.bytes = bytes;
    }

    /** A file when its Content-Disposition names one (as a browser's file input does, even empty). */
    boolean isFile() {
        return filename != null;
    }

    /** A plain field's value, in its part's charset (UTF-8 unless it names another it can be read in). */
    String text() {
        Charset charset = StandardCharsets.UTF_8;
        try {
            MediaType type = headers.getContentType();
            if (type != null && type.getCharset() != null) {
                charset = type.getCharset();
            }
        } catch (IllegalArgumentException e) {
            // an unparseable content type or an unknown charset: UTF-8
        }
        return new String(bytes, charset);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getOriginalFilename() {
        return filename;
    }

    @Override
    public String getSubmittedFileName() {
        return filename;
    }

    @Override
    public String getContentType() {
        return headers.getFirst(HttpHeaders.CONTENT_TYPE);
    }

    @Override
    public boolean isEmpty() {
        return bytes.length == 0;
    }

    @Override
    public long getSize() {
        return bytes.length;
    }

    /** The part's own array, not a copy (each part has one; the request is its only reader). */
    @Override
    public byte[] getBytes() {
        return bytes;
    }

    @Override
    public InputStream getInputStream() {
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public void transferTo(File dest) {
        throw new UnsupportedOperationException("faceoff never writes an uploaded part to disk");
    }

    @Override
    public void write(String fileName) {
        throw new UnsupportedOperationException("faceoff never writes an uploaded part to disk");
    }

    @Override
    public void delete() {
    }

    @Override
    public String getHeader(String header) {
        return headers.getFirst(header);
    }

    @Override
    public Collection<String> getHeaders(String header) {
        List<String> values = headers.get(header);
        return values == null ? List.of() : values;
    }

    @Override
    public Collection<String> getHeaderNames() {
        return headers.headerNames();
    }

    /** Never the content (a part may be logged by a framework at DEBUG). */
    @Override
    public String toString() {
        return "FormPart[" + name + (filename != null ? ", file" : "") + ", " + bytes.length + " bytes]";
    }
}
