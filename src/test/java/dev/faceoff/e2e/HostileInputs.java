package dev.faceoff.e2e;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.zip.CRC32;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import dev.faceoff.image.OpenCvLoader;

/**
 * A seeded generator of hostile requests for {@code POST /v1/verify}, {@code /v1/embed}, {@code /v1/feedback} and
 * the gallery's endpoints ({@code /v1/subjects/...}, {@code /v1/identify}; {@link #SUBJECT} is a subject the run may
 * enrol into): damaged and odd images (truncated, bit-flipped, random, empty, one pixel, zero and
 * huge dimensions in the header, a 400-megapixel PNG, 16-bit, grey, alpha, CMYK, animated GIF, many faces,
 * EXIF garbage) inside valid requests, and damaged requests around valid images (wrong content types,
 * malformed multipart, malformed JSON, broken and huge base64, bad parameters, duplicate parts). The same
 * seed gives the same cases.
 */
final class HostileInputs {

    /** One request: its family (for the report), method, path, content type and body. */
    record Case(String family, String method, String path, String contentType, byte[] body) {
        Case(String family, String path, String contentType, byte[] body) {
            this(family, "POST", path, contentType, body);
        }
    }

    /** The subject the gallery cases enrol into, verify against and erase (created by whoever runs the cases). */
    static final String SUBJECT = "fuzz-subject";

    static {
        OpenCvLoader.load();
    }

    private final Random random;
    private final List<byte[]> photos;        // valid images of every format, from LFW photos
    private final byte[] face1;
    private final byte[] face2;
    private final byte[] hugePng;
    private final byte[] manyFaces;
    private final List<byte[]> odd;           // valid but unusual encodings
    private final List<Function<Random, Case>> families = new ArrayList<>();

    HostileInputs(long seed, byte[] face1, byte[] face2) throws IOException {
        this.random = new Random(seed);
        this.face1 = face1;
        this.face2 = face2;
        this.photos = new ArrayList<>();
        for (String ext : List.of(".jpg", ".png", ".webp", ".bmp")) {
            photos.add(TestImages.reencode(face1, ext));
            photos.add(TestImages.reencode(face2, ext));
        }
        this.hugePng = TestImages.hugePng();
        this.manyFaces = grid(face1, face2);
        this.odd = List.of(sixteenBitPng(face1), grey(face1, ".jpg"), grey(face1, ".png"), alpha(face1, ".png"),
                alpha(face1, ".webp"), cmykJpeg(), animatedGif(), onePixel(".png"), onePixel(".jpg"), onePixel(".bmp"),
                onePixel(".webp"), thin(), tiff(face1));
        // image-level damage inside a valid request (weights: how often each family is drawn)
        add(3, r -> imageCase("valid", pick(r, photos), r));
        add(6, r -> imageCase("truncated", truncate(pick(r, photos), r), r));
        add(6, r -> imageCase("bit-flipped", flip(pick(r, photos), r), r));
        add(3, r -> imageCase("random-bytes", randomBytes(r, r.nextInt(65536)), r));
        add(2, r -> imageCase("random-after-signature", signatureThenRandom(r), r));
        add(1, r -> imageCase("empty", new byte[0], r));
        add(4, r -> imageCase("odd-encoding", pick(r, odd), r));
        add(3, r -> imageCase("header-dimensions", dimensions(pick(r, photos), r), r));
        add(1, r -> imageCase("pixel-bomb", hugePng, r));
        add(2, r -> imageCase("many-faces", manyFaces, r));
        add(2, r -> imageCase("exif-garbage", exifGarbage(photos.get(0), r), r));
        // request-level damage around valid images
        add(3, this::wrongContentType);
        add(4, this::malformedMultipart);
        add(4, this::malformedJson);
        add(3, this::badBase64);
        add(1, r -> new Case("huge-base64", "/v1/verify", "application/json",
                ("{\"image1\":\"" + "A".repeat(23_000_000) + "\",\"image2\":\"x\"}").getBytes(StandardCharsets.US_ASCII)));
        add(3, this::badParameters);
        add(2, this::badFeedback);
        add(4, this::gallery);
        add(2, this::badSubjects);
    }

    private void add(int weight, Function<Random, Case> family) {
        for (int i = 0; i < weight; i++) {
            families.add(family);
        }
    }

    Case next() {
        return families.get(random.nextInt(families.size())).apply(random);
    }

    // ------------------------------------------------------------------------------------------ requests

    /** A damaged image in a valid request: multipart or JSON, verify or embed, as either image. */
    private Case imageCase(String family, byte[] image, Random r) {
        boolean first = r.nextBoolean();
        byte[] other = pick(r, photos);
        return switch (r.nextInt(4)) {
            case 0, 1 -> multipart(family, "/v1/verify", List.of(
                    part("image1", first ? image : other), part("image2", first ? other : image)));
            case 2 -> json(family, "/v1/verify", "{\"image1\":\"" + b64(first ? image : other) + "\",\"image2\":\""
                    + b64(first ? other : image) + "\"" + (r.nextBoolean() ? ",\"select\":\"single\"" : "") + "}");
            default -> r.nextBoolean() ? multipart(family, "/v1/embed", List.<byte[][]>of(part("image", image)))
                    : json(family, "/v1/embed", "{\"image\":\"" + b64(image) + "\"}");
        };
    }

    private Case wrongContentType(Random r) {
        byte[] valid = multipartBody("b0undary", List.<byte[][]>of(part("image1", face1), part("image2", face2)));
        String[] types = {"text/plain", "application/xml", "image/jpeg", "application/octet-stream",
                "multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed; boundary=b0undary",
                "application/x-www-form-urlencoded", "application/json", "", "application/json; charset=ebcdic"};
        String type = types[r.nextInt(types.length)];
        byte[] body = r.nextBoolean() ? valid : face1;
        return new Case("wrong-content-type", r.nextBoolean() ? "/v1/verify" : "/v1/embed", type, body);
    }

    private Case malformedMultipart(Random r) {
        String boundary = "b" + UUID.randomUUID();
        byte[] good = multipartBody(boundary, List.<byte[][]>of(part("image1", face1), part("image2", face2)));
        String type = "multipart/form-data; boundary=" + boundary;
        return switch (r.nextInt(8)) {
            case 0 -> new Case("malformed-multipart", "/v1/verify", type, truncate(good, r));
            case 1 -> new Case("malformed-multipart", "/v1/verify", "multipart/form-data; boundary=other", good);
            case 2 -> new Case("malformed-multipart", "/v1/verify", type,
                    java.util.Arrays.copyOf(good, good.length - boundary.length() - 6));   // no closing boundary
            case 3 -> new Case("malformed-multipart", "/v1/verify", type, multipartBody(boundary,
                    List.<byte[][]>of(part("image1", face1), part("image1", face2), part("image2", face2))));  // duplicate part
            case 4 -> new Case("malformed-multipart", "/v1/verify", type, multipartBody(boundary,
                    List.<byte[][]>of(part("image1", face1))));                                             // a part missing
            case 5 -> {
                var parts = new ArrayList<byte[][]>();
                for (int i = 0; i < 500; i++) {
                    parts.add(part("junk" + i, new byte[]{1}));
                }
                yield new Case("malformed-multipart", "/v1/verify", type, multipartBody(boundary, parts));
            }
            case 6 -> new Case("malformed-multipart", "/v1/verify", type,
                    ("--" + boundary + "\r\nContent-Disposition: form-data\r\n\r\nnoname\r\n--" + boundary + "--\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            default -> new Case("malformed-multipart", "/v1/verify", type, flip(good, r));
        };
    }

    private Case malformedJson(Random r) {
        String valid = "{\"image1\":\"" + b64(face1) + "\",\"image2\":\"" + b64(face2) + "\"}";
        String body = switch (r.nextInt(9)) {
            case 0 -> valid.substring(0, r.nextInt(valid.length()));
            case 1 -> "{\"image1\":123,\"image2\":[1,2,3]}";
            case 2 -> "{\"image1\":{\"a\":1},\"image2\":null}";
            case 3 -> "[" + "[".repeat(5000) + "]".repeat(5000) + "]";
            case 4 -> "{\"image1\":\"" + b64(face1) + "\",\"image2\":\"" + b64(face2) + "\",\"far\":\"often\"}";
            case 5 -> "{\"image1\":\"" + b64(face1) + "\",\"image2\":\"" + b64(face2) + "\",\"min_quality\":1e400}";
            case 6 -> "null";
            case 7 -> "\"just a string\"";
            default -> "{\"image1\":\"" + b64(face1) + "\",\"image1\":\"" + b64(face2) + "\"}";
        };
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(10) == 0) {
            bytes = java.util.Arrays.copyOf(bytes, bytes.length + 2);
            bytes[bytes.length - 2] = (byte) 0xC3;   // invalid UTF-8 at the end
            bytes[bytes.length - 1] = (byte) 0x28;
        }
        return new Case("malformed-json", r.nextBoolean() ? "/v1/verify" : "/v1/embed", "application/json", bytes);
    }

    private Case badBase64(Random r) {
        String good = b64(face1);
        String bad = switch (r.nextInt(6)) {
            case 0 -> good.substring(0, good.length() - 1 - r.nextInt(3));         // bad length
            case 1 -> good.replace('A', '*');                                      // illegal characters
            case 2 -> "data:image/jpeg;base64" + good;                             // data URL without a comma
            case 3 -> "data:,";
            case 4 -> " \n\t ".repeat(100);
            default -> b64(randomBytes(r, 1000 + r.nextInt(100_000)));            // valid base64 of garbage
        };
        return json("bad-base64", "/v1/verify", "{\"image1\":\"" + bad.replace("\n", "\\n").replace("\t", "\\t")
                + "\",\"image2\":\"" + b64(face2) + "\"}");
    }

    private Case badParameters(Random r) {
        String[][] fields = {{"far", "abc"}, {"far", "-1"}, {"far", "1e309"}, {"far", "NaN"}, {"far", "0.5"},
                {"model", "../../../etc/passwd"}, {"model", "x".repeat(5000)}, {"select", "biggest"},
                {"min_quality", "NaN"}, {"min_quality", "2"}, {"subject", "s".repeat(100_000)}, {"model", "\u0000"}};
        String[] f = fields[r.nextInt(fields.length)];
        var parts = new ArrayList<byte[][]>(List.<byte[][]>of(part("image1", face1), part("image2", face2)));
        parts.add(new byte[][]{f[0].getBytes(StandardCharsets.UTF_8), f[1].getBytes(StandardCharsets.UTF_8), null});
        return multipart("bad-parameters", "/v1/verify", parts);
    }

    private Case badFeedback(Random r) {
        String[] bodies = {"{}", "{\"verification_id\":\"" + UUID.randomUUID() + "\",\"same_person\":true}",
                "{\"verification_id\":123,\"same_person\":\"yes\"}", "{\"verification_id\":\"" + "x".repeat(10_000) + "\"}",
                "not json", "{\"verification_id\":null,\"same_person\":null}"};
        return json("bad-feedback", "/v1/feedback", bodies[r.nextInt(bodies.length)]);
    }

    /** A valid or damaged image enrolled, verified against a subject or identified, as multipart or JSON. */
    private Case gallery(Random r) {
        byte[] image = r.nextBoolean() ? pick(r, photos) : flip(pick(r, photos), r);
        String id = r.nextInt(4) == 0 ? "unknown-" + r.nextInt(100) : SUBJECT;
        String[] paths = {"/v1/subjects/" + id + "/faces", "/v1/subjects/" + id + "/verify", "/v1/identify"};
        String path = paths[r.nextInt(paths.length)];
        if (r.nextBoolean()) {
            return multipart("gallery", path, List.<byte[][]>of(part("image", image)));
        }
        return json("gallery", path, "{\"image\":\"" + b64(image) + "\"}");
    }

    /** Bad subject ids, face ids, methods and parameters on the gallery's endpoints. */
    private Case badSubjects(Random r) {
        String[] ids = {"a%2Fb", "x".repeat(65), "%00", "..", "%C3%BC", "a%20b", "%25", "'%3B--", SUBJECT + "%0A", ""};
        String id = ids[r.nextInt(ids.length)];
        String[] params = {"top_k=0", "top_k=51", "top_k=abc", "fpir=0", "fpir=1", "fpir=NaN", "fpir=-1", "far=0.5",
                "model=nope", "min_quality=2", "limit=0", "limit=100000", "after=%00"};
        String param = params[r.nextInt(params.length)];
        return switch (r.nextInt(7)) {
            case 0 -> new Case("bad-subjects", "PUT", "/v1/subjects/" + id, "application/json", "{\"metadata\":{}}".getBytes(StandardCharsets.UTF_8));
            case 1 -> new Case("bad-subjects", "PUT", "/v1/subjects/" + SUBJECT, "application/json",
                    pick(r, List.of("{\"metadata\":[1]}", "{\"metadata\":\"x\"}", "{\"metadata\":{\"k\":\"" + "v".repeat(5000) + "\"}}",
                            "not json", "{\"metadata\":{}, \"extra\":1}")).getBytes(StandardCharsets.UTF_8));
            case 2 -> new Case("bad-subjects", "GET", "/v1/subjects" + (r.nextBoolean() ? "/" + id : "?" + param), "", new byte[0]);
            case 3 -> new Case("bad-subjects", "DELETE", "/v1/subjects/" + SUBJECT + "/faces/" + pick(r,
                    List.of("abc", "-1", "99999999999999999999", "0", "1")), "", new byte[0]);
            case 4 -> multipart("bad-subjects", "/v1/identify?" + param, List.<byte[][]>of(part("image", face1)));
            case 5 -> multipart("bad-subjects", "/v1/subjects/" + id + "/verify", List.<byte[][]>of(part("image", face1)));
            default -> json("bad-subjects", "/v1/identify", "{\"image\":\"" + b64(face1) + "\",\""
                    + param.replace("=", "\":\"") + "\"}");
        };
    }

    // ------------------------------------------------------------------------------------------ bodies

    /** A file part (name, bytes) or, with a third null element, a plain field (name, value, null). */
    private static byte[][] part(String name, byte[] bytes) {
        return new byte[][]{name.getBytes(StandardCharsets.US_ASCII), bytes};
    }

    private static Case multipart(String family, String path, List<byte[][]> parts) {
        String boundary = "----fuzz" + UUID.randomUUID();
        return new Case(family, path, "multipart/form-data; boundary=" + boundary, multipartBody(boundary, parts));
    }

    private static byte[] multipartBody(String boundary, List<byte[][]> parts) {
        var body = new ByteArrayOutputStream();
        for (byte[][] part : parts) {
            String name = new String(part[0], StandardCharsets.UTF_8);
            body.writeBytes(("--" + boundary + "\r\n").getBytes(StandardCharsets.US_ASCII));
            if (part.length == 2) {
                body.writeBytes(("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + name
                        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            } else {
                body.writeBytes(("Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            body.writeBytes(part[1]);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    private static Case json(String family, String path, String body) {
        return new Case(family, path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    // ------------------------------------------------------------------------------------------ images

    private static <T> T pick(Random r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    private static byte[] truncate(byte[] bytes, Random r) {
        return java.util.Arrays.copyOf(bytes, r.nextInt(Math.max(1, bytes.length)));
    }

    private static byte[] flip(byte[] bytes, Random r) {
        byte[] out = bytes.clone();
        int flips = 1 + r.nextInt(20);
        boolean keepSignature = r.nextBoolean();
        for (int i = 0; i < flips && out.length > 4; i++) {
            int at = keepSignature ? 4 + r.nextInt(out.length - 4) : r.nextInt(out.length);
            out[at] ^= (byte) (1 << r.nextInt(8));
        }
        return out;
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] out = new byte[n];
        r.nextBytes(out);
        return out;
    }

    private static byte[] signatureThenRandom(Random r) {
        byte[][] signatures = {{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10},
                {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'}, {'B', 'M'}};
        byte[] sig = signatures[r.nextInt(signatures.length)];
        byte[] out = randomBytes(r, sig.length + r.nextInt(20_000));
        System.arraycopy(sig, 0, out, 0, sig.length);
        return out;
    }

    /** The header's width and height set to 0, 1 or 65535 (PNG with a valid CRC; JPEG's SOF; BMP's DIB). */
    private static byte[] dimensions(byte[] image, Random r) {
        byte[] out = image.clone();
        int[] choices = {0, 1, 65535, 30000};
        int w = choices[r.nextInt(choices.length)];
        int h = choices[r.nextInt(choices.length)];
        if (out[0] == (byte) 0x89) {                           // PNG: IHDR at 16
            ByteBuffer.wrap(out, 16, 8).putInt(w).putInt(h);
            CRC32 crc = new CRC32();
            crc.update(out, 12, 17);
            ByteBuffer.wrap(out, 29, 4).putInt((int) crc.getValue());
        } else if (out[0] == (byte) 0xFF) {                    // JPEG: the first SOFn
            for (int i = 2; i + 9 < out.length; i++) {
                int m = out[i + 1] & 0xFF;
                if ((out[i] & 0xFF) == 0xFF && m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
                    ByteBuffer.wrap(out, i + 5, 4).putShort((short) h).putShort((short) w);
                    break;
                }
            }
        } else if (out[0] == 'B') {                            // BMP: BITMAPINFOHEADER at 14
            ByteBuffer.wrap(out, 18, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(w).putInt(r.nextBoolean() ? h : -h);
        } else if (out.length > 30) {                          // WebP VP8: 14-bit sizes at 26
            ByteBuffer.wrap(out, 26, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort((short) (w & 0x3FFF))
                    .putShort((short) (h & 0x3FFF));
        }
        return out;
    }

    /** An APP1 segment of random bytes after "Exif\0\0" right after SOI. */
    private static byte[] exifGarbage(byte[] jpeg, Random r) {
        byte[] garbage = randomBytes(r, 16 + r.nextInt(2000));
        byte[] head = {'E', 'x', 'i', 'f', 0, 0};
        int length = 2 + head.length + garbage.length;
        var out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(head);
        out.writeBytes(garbage);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static Mat decode(byte[] bytes) {
        return Imgcodecs.imdecode(new MatOfByte(bytes), Imgcodecs.IMREAD_COLOR);
    }

    private static byte[] encode(Mat m, String ext, int... params) {
        var buffer = new MatOfByte();
        try {
            if (!Imgcodecs.imencode(ext, m, buffer, new MatOfInt(params))) {
                throw new IllegalStateException("cannot encode " + ext);
            }
            return buffer.toArray();
        } finally {
            buffer.release();
        }
    }

    /** Three rows of three faces: nine faces of one size. */
    private static byte[] grid(byte[] a, byte[] b) {
        Mat x = decode(a);
        Mat y = decode(b);
        Mat row = new Mat();
        Mat all = new Mat();
        try {
            Core.hconcat(List.of(x, y, x), row);
            Core.vconcat(List.of(row, row, row), all);
            return encode(all, ".jpg");
        } finally {
            x.release();
            y.release();
            row.release();
            all.release();
        }
    }

    private static byte[] sixteenBitPng(byte[] jpeg) {
        Mat m = decode(jpeg);
        Mat wide = new Mat();
        try {
            m.convertTo(wide, CvType.CV_16UC3, 257);
            return encode(wide, ".png");
        } finally {
            m.release();
            wide.release();
        }
    }

    private static byte[] tiff(byte[] jpeg) {
        Mat m = decode(jpeg);
        try {
            return encode(m, ".tiff");
        } finally {
            m.release();
        }
    }

    private static byte[] grey(byte[] jpeg, String ext) {
        Mat m = decode(jpeg);
        Mat g = new Mat();
        try {
            Imgproc.cvtColor(m, g, Imgproc.COLOR_BGR2GRAY);
            return encode(g, ext);
        } finally {
            m.release();
            g.release();
        }
    }

    private static byte[] alpha(byte[] jpeg, String ext) {
        Mat m = decode(jpeg);
        Mat a = new Mat();
        try {
            Imgproc.cvtColor(m, a, Imgproc.COLOR_BGR2BGRA);
            return encode(a, ext);
        } finally {
            m.release();
            a.release();
        }
    }

    private static byte[] onePixel(String ext) {
        Mat m = new Mat(1, 1, CvType.CV_8UC3, new org.opencv.core.Scalar(10, 20, 30));
        try {
            return encode(m, ext);
        } finally {
            m.release();
        }
    }

    private static byte[] thin() {
        Mat m = new Mat(1, 4000, CvType.CV_8UC3, new org.opencv.core.Scalar(100, 100, 100));
        try {
            return encode(m, ".png");
        } finally {
            m.release();
        }
    }

    /** A four-channel (CMYK/YCCK, Adobe) JPEG, written by the JDK's JPEG writer from a raster. */
    private static byte[] cmykJpeg() throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 64, 64, 4, null);
        var r = new Random(3);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                raster.setPixel(x, y, new int[]{r.nextInt(256), x * 4, y * 4, 30});
            }
        }
        var writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        var out = new ByteArrayOutputStream();
        try (var stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A three-frame animated GIF (an unsupported format). */
    private static byte[] animatedGif() throws IOException {
        var writer = ImageIO.getImageWritersByFormatName("gif").next();
        var out = new ByteArrayOutputStream();
        try (var stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            for (int frame = 0; frame < 3; frame++) {
                var image = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_INDEXED);
                image.getRaster().setSample(frame, frame, 0, 1);
                IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
                var root = (IIOMetadataNode) metadata.getAsTree(metadata.getNativeMetadataFormatName());
                metadata.setFromTree(metadata.getNativeMetadataFormatName(), root);
                writer.writeToSequence(new IIOImage(image, null, metadata), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
