package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.springframework.web.multipart.MaxUploadSizeExceededException;

class MultipartBodyTest {

    private static final MultipartBody.Limits LIMITS = new MultipartBody.Limits(1 << 20, 50, 512);

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... pieces) {
        var out = new ByteArrayOutputStream();
        for (byte[] p : pieces) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static List<FormPart> parse(byte[] body, String boundary) {
        return MultipartBody.parse(body, body.length, boundary, LIMITS);
    }

    @Test
    void aBrowsersFormGivesItsFilesAndFieldsInOrder() {
        byte[] photo = new byte[5000];
        new Random(1).nextBytes(photo);
        byte[] body = concat(ascii("--b0\r\nContent-Disposition: form-data; name=\"image1\"; filename=\"a.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n"), photo, ascii("\r\n--b0\r\n"
                + "Content-Disposition: form-data; name=\"far\"\r\n\r\n0.001\r\n--b0\r\n"
                + "Content-Disposition: form-data; name=\"subject\"\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\n"),
                "Jos\u00e9".getBytes(StandardCharsets.ISO_8859_1), ascii("\r\n--b0--\r\n"));
        List<FormPart> parts = parse(body, "b0");
        assertThat(parts).extracting(FormPart::getName).containsExactly("image1", "far", "subject");
        assertThat(parts.get(0).isFile()).isTrue();
        assertThat(parts.get(0).getOriginalFilename()).isEqualTo("a.jpg");
        assertThat(parts.get(0).getContentType()).isEqualTo("image/jpeg");
        assertThat(parts.get(0).getBytes()).isEqualTo(photo);
        assertThat(parts.get(1).isFile()).isFalse();
        assertThat(parts.get(1).text()).isEqualTo("0.001");
        assertThat(parts.get(2).text()).isEqualTo("Jos\u00e9");
    }

    @Test
    void preambleEpiloguePaddingFoldedHeadersAndNamelessPartsAreAsTheRfcSays() {
        byte[] body = ascii("a preamble\r\nwith lines\r\n--q  \t\r\n"
                + "Content-Disposition: form-data;\r\n name=\"image\"; filename*=UTF-8''%C3%A9t%C3%A9.jpg\r\n\r\nxyz"
                + "\r\n--q\r\nContent-Type: text/plain\r\n\r\nno name: skipped"
                + "\r\n--q\r\n\r\nno headers at all"
                + "\r\n--q--\r\nan epilogue\r\n--q\r\nContent-Disposition: form-data; name=\"late\"\r\n\r\nignored");
        List<FormPart> parts = parse(body, "q");
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).getName()).isEqualTo("image");
        assertThat(parts.get(0).getOriginalFilename()).isEqualTo("\u00e9t\u00e9.jpg");
        assertThat(new String(parts.get(0).getBytes(), StandardCharsets.US_ASCII)).isEqualTo("xyz");
    }

    @Test
    void contentThatAlmostHoldsTheDelimiterIsContent() {
        String boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
        String almost = "\r\n--" + boundary.substring(0, boundary.length() - 1) + "X\r\n--\r\n" + boundary + "\r\n-";
        byte[] body = ascii("--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"; filename=\"\"\r\n\r\n"
                + almost + "\r\n--" + boundary + "--");
        List<FormPart> parts = parse(body, boundary);
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).isFile()).as("an empty file name is still a file").isTrue();
        assertThat(parts.get(0).getBytes()).isEqualTo(ascii(almost));
    }

    /** Horspool's search against the obvious one, on random bytes seeded with pieces of the delimiter. */
    @Test
    void theSearchFindsWhatAByteByByteSearchFinds() {
        var random = new Random(3);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] pattern = ascii("\r\n--" + "ab-".repeat(3).substring(0, 1 + random.nextInt(8)));
            byte[] hay = new byte[random.nextInt(300)];
            for (int i = 0; i < hay.length; i++) {
                hay[i] = random.nextInt(3) == 0 ? pattern[random.nextInt(pattern.length)] : (byte) random.nextInt(256);
            }
            if (hay.length > pattern.length && random.nextBoolean()) {
                System.arraycopy(pattern, 0, hay, random.nextInt(hay.length - pattern.length + 1), pattern.length);
            }
            int from = hay.length == 0 ? 0 : random.nextInt(hay.length);
            assertThat(MultipartBody.find(hay, from, hay.length, pattern, MultipartBody.skipTable(pattern)))
                    .as("trial %d", trial).isEqualTo(naive(hay, from, pattern));
        }
    }

    private static int naive(byte[] hay, int from, byte[] pattern) {
        outer:
        for (int i = from; i + pattern.length <= hay.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (hay[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aFormCutShortOrMalformedIsRefusedWithItsReason() {
        String part = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue";
        assertThatThrownBy(() -> parse(ascii(part), "b")).isInstanceOf(MultipartBody.Malformed.class)
                .hasMessageContaining("no closing boundary");
        assertThatThrownBy(() -> parse(ascii(part + "\r\n--b"), "b")).isInstanceOf(MultipartBody.Malformed.class)
                .hasMessageContaining("line break");
        assertThatThrownBy(() -> parse(ascii(part + "\r\n--b--"), "other")).isInstanceOf(MultipartBody.Malformed.class)
                .hasMessageContaining("no boundary");
        assertThatThrownBy(() -> parse(ascii("--b\r\nContent-Disposition: form-data; name=\"a\""), "b"))
                .isInstanceOf(MultipartBody.Malformed.class).hasMessageContaining("headers");
        assertThatThrownBy(() -> parse(ascii("--b\r\nX-Long: " + "x".repeat(600) + "\r\n\r\nv\r\n--b--"), "b"))
                .isInstanceOf(MultipartBody.Malformed.class).hasMessageContaining("over 512 bytes");
        assertThatThrownBy(() -> parse(ascii("--b\r\nno colon here\r\n\r\nv\r\n--b--"), "b"))
                .isInstanceOf(MultipartBody.Malformed.class).hasMessageContaining("no name");
        assertThatThrownBy(() -> parse(ascii("--b\r\nContent-Disposition:\r\n\r\nv\r\n--b--"), "b"))
                .isInstanceOf(MultipartBody.Malformed.class);
        var many = new StringBuilder();
        for (int i = 0; i < 51; i++) {
            many.append("--b\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nv\r\n");
        }
        assertThatThrownBy(() -> parse(ascii(many + "--b--"), "b")).isInstanceOf(MultipartBody.Malformed.class)
                .hasMessageContaining("more than 50 parts");
        String nameless = "--b\r\nContent-Type: text/plain\r\n\r\nv\r\n".repeat(51);
        assertThatThrownBy(() -> parse(ascii(nameless + "--b--"), "b")).as("nameless parts count")
                .isInstanceOf(MultipartBody.Malformed.class).hasMessageContaining("more than 50 parts");
        assertThat(parse(ascii("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n".repeat(50) + "--b--"), "b")).isEmpty();
        byte[] big = concat(ascii("--b\r\nContent-Disposition: form-data; name=\"a\"; filename=\"x\"\r\n\r\n"),
                new byte[(1 << 20) + 1], ascii("\r\n--b--"));
        assertThatThrownBy(() -> parse(big, "b")).isInstanceOf(MaxUploadSizeExceededException.class);
    }

    @Test
    void theBoundaryComesFromTheContentType() {
        assertThat(MultipartBody.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
        assertThat(MultipartBody.boundary("multipart/form-data; charset=utf-8; boundary=\"a b:c\"")).isEqualTo("a b:c");
        for (String type : new String[] {"multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
                "multipart/form-data; boundary=" + "x".repeat(201), "multipart/; boundary=a", "multipart/form-data; boundary=\"abc"}) {
            assertThatThrownBy(() -> MultipartBody.boundary(type)).as(type).isInstanceOf(MultipartBody.Malformed.class);
        }
    }

    @Test
    void aPartNeverPrintsItsContent() {
        var part = new FormPart("image1", "a.jpg", new org.springframework.http.HttpHeaders(), ascii("secret face"));
        assertThat(part.toString()).isEqualTo("FormPart[image1, file, 11 bytes]");
    }
}
