package dev.faceoff.evaluation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectedFace;
import dev.faceoff.face.FaceQuality;
import dev.faceoff.face.PreparedFace;

/**
 * The outcome of preparing one image: a face, or the error code why not (e.g. {@code no_face}).
 * Serialised for the {@link RecordLog} cache.
 */
record FaceRecord(PreparedFace face, String error) {

    static FaceRecord ok(PreparedFace face) {
        return new FaceRecord(face, null);
    }

    static FaceRecord failed(String code) {
        return new FaceRecord(null, code);
    }

    boolean found() {
        return face != null;
    }

    byte[] encode() {
        if (face == null) {
            byte[] code = error.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(1 + code.length).put((byte) 0).put(code).array();
        }
        byte[] pixels = face.aligned().bgr();
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 * 15 + 3 * 4 + pixels.length);
        b.put((byte) 1).putInt(face.aligned().size());
        Box box = face.face().box();
        b.putDouble(face.face().score()).putDouble(box.x1()).putDouble(box.y1()).putDouble(box.x2()).putDouble(box.y2());
        for (double p : face.points5()) {
            b.putDouble(p);
        }
        b.putInt(face.imageWidth()).putInt(face.imageHeight()).putInt(face.facesFound());
        b.put(pixels);
        return b.array();
    }

    static FaceRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() == 0) {
            byte[] code = new byte[b.remaining()];
            b.get(code);
            return failed(new String(code, StandardCharsets.UTF_8));
        }
        int size = b.getInt();
        double score = b.getDouble();
        Box box = new Box(b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble());
        double[] points = new double[10];
        for (int i = 0; i < 10; i++) {
            points[i] = b.getDouble();
        }
        int width = b.getInt();
        int height = b.getInt();
        int found = b.getInt();
        byte[] pixels = new byte[size * size * 3];
        b.get(pixels);
        var aligned = new AlignedFace(pixels, size);
        // quality is a pure function of what is stored: measured again, not stored
        return ok(new PreparedFace(aligned, new DetectedFace(box, score, points), points, width, height, found,
                FaceQuality.of(points, aligned, score)));
    }
}
