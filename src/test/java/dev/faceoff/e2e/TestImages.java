package dev.faceoff.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

import dev.faceoff.image.OpenCvLoader;

/** Real images made from LFW photos, and the bad inputs the API must refuse. */
final class TestImages {

    static {
        OpenCvLoader.load();
    }

    private TestImages() {
    }

    /** Two LFW photos of one person (Aaron Peirsol 1 and 2), with the pretrained models required too. */
    record SamePerson(byte[] a, byte[] b) {
    }

    static SamePerson samePerson() throws IOException {
        dev.faceoff.SharedData.pretrainedModels();
        Path lfw = dev.faceoff.SharedData.lfw();
        return new SamePerson(read(lfw, "Aaron_Peirsol", 1), read(lfw, "Aaron_Peirsol", 2));
    }

    static byte[] read(Path lfw, String name, int number) throws IOException {
        return Files.readAllBytes(lfw.resolve(name).resolve(String.format("%s_%04d.jpg", name, number)));
    }

    /** The same pixels re-encoded (".png", ".webp", ".bmp", ".jpg"). */
    static byte[] reencode(byte[] jpeg, String extension) {
        Mat image = Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR);
        try {
            return encode(image, extension);
        } finally {
            image.release();
        }
    }

    /** Two photos side by side: two faces of similar size. */
    static byte[] sideBySide(byte[] left, byte[] right) {
        Mat a = Imgcodecs.imdecode(new MatOfByte(left), Imgcodecs.IMREAD_COLOR);
        Mat b = Imgcodecs.imdecode(new MatOfByte(right), Imgcodecs.IMREAD_COLOR);
        Mat both = new Mat();
        try {
            Core.hconcat(java.util.List.of(a, b), both);
            return encode(both, ".jpg");
        } finally {
            a.release();
            b.release();
            both.release();
        }
    }

    /** Pixels rotated 90° counter-clockwise, with EXIF orientation 6 (display rotated 90° clockwise). */
    static byte[] rotatedWithExif(byte[] jpeg) {
        Mat image = Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR);
        Mat rotated = new Mat();
        try {
            Core.rotate(image, rotated, Core.ROTATE_90_COUNTERCLOCKWISE);
            byte[] plain = encode(rotated, ".jpg");
            byte[] exif = {(byte) 0xFF, (byte) 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
                    'M', 'M', 0, 42, 0, 0, 0, 8,               // big-endian TIFF header, IFD at 8
                    0, 1,                                      // one entry
                    0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0,  // Orientation (SHORT) = 6
                    0, 0, 0, 0};                               // no next IFD
            byte[] out = new byte[plain.length + exif.length];
            System.arraycopy(plain, 0, out, 0, 2);
            System.arraycopy(exif, 0, out, 2, exif.length);
            System.arraycopy(plain, 2, out, 2 + exif.length, plain.length - 2);
            return out;
        } finally {
            image.release();
            rotated.release();
        }
    }

    /** A smooth gradient with noise: a real image without any face. */
    static byte[] noFace() {
        Mat image = new Mat(240, 320, CvType.CV_8UC3, new Scalar(0, 0, 0));
        try {
            byte[] pixels = new byte[240 * 320 * 3];
            Random random = new Random(7);
            for (int y = 0; y < 240; y++) {
                for (int x = 0; x < 320; x++) {
                    int i = (y * 320 + x) * 3;
                    pixels[i] = (byte) (x * 255 / 320);
                    pixels[i + 1] = (byte) (y * 255 / 240);
                    pixels[i + 2] = (byte) (128 + random.nextInt(20));
                }
            }
            image.put(0, 0, pixels);
            return encode(image, ".png");
        } finally {
            image.release();
        }
    }

    /** A real, valid 20000×20000 grey PNG (about 0.4 MB compressed; 400 megapixels if decoded). */
    static byte[] hugePng() throws IOException {
        int side = 20000;
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(side).putInt(side).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        var idat = new ByteArrayOutputStream();
        try (var deflate = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_SPEED))) {
            byte[] row = new byte[side + 1];    // filter byte 0 + grey pixels
            for (int y = 0; y < side; y++) {
                deflate.write(row);
            }
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] encode(Mat image, String extension) {
        MatOfByte buffer = new MatOfByte();
        try {
            if (!Imgcodecs.imencode(extension, image, buffer)) {
                throw new IllegalStateException("cannot encode " + extension);
            }
            return buffer.toArray();
        } finally {
            buffer.release();
        }
    }
}
