package dev.faceoff.verification;

import java.util.List;
import java.util.Map;


import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectedFace;
import dev.faceoff.face.FaceQuality;
import dev.faceoff.face.PreparedFace;

/** The answer of POST /v1/verify. */
public record VerificationResult(
        String verificationId,
        boolean match,
        double similarity,
        double threshold,
        double far,
        ModelRef model,
        RoutingRef routing,
        List<Face> faces,
        Map<String, Double> timingsMs) {

    /** The model that decided. */
    public record ModelRef(String name, int version, String loss) {
    }

    /** How the model was chosen: experiment, variant, and assignment (override, sticky, weighted, default). */
    public record RoutingRef(String experiment, String variant, String assignment) {
    }

    /** A face as found in its image. */
    public record Face(FaceBox box, List<double[]> landmarks, double score, ImageSize image,
                       int facesFound, FaceQuality quality) {

        static Face of(PreparedFace p) {
            DetectedFace f = p.face();
            Box b = f.box();
            var points = new java.util.ArrayList<double[]>();
            for (int i = 0; i < p.points5().length; i += 2) {
                points.add(new double[]{round(p.points5()[i]), round(p.points5()[i + 1])});
            }
            return new Face(new FaceBox(round(b.x1()), round(b.y1()), round(b.width()), round(b.height())),
                    points, Math.round(f.score() * 1e4) / 1e4, new ImageSize(p.imageWidth(), p.imageHeight()),
                    p.facesFound(), p.quality());
        }

        private static double round(double v) {
            return Math.round(v * 10) / 10.0;
        }
    }

    /** A box in image pixels: top-left corner and size. */
    public record FaceBox(double x, double y, double width, double height) {
    }

    public record ImageSize(int width, int height) {
    }
}
