package dev.faceoff.face;

import dev.faceoff.common.NativeLedger;
import java.util.List;

import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.alignment.FaceAligner;
import dev.faceoff.alignment.FivePoints;
import dev.faceoff.alignment.LandmarkModel;
import dev.faceoff.alignment.SimilarityTransform;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.DetectedFace;
import dev.faceoff.detection.FaceDetector;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.image.DecodedImage;
import dev.faceoff.image.ImageDecoder;
import dev.faceoff.common.StageTimings;
import dev.faceoff.common.StageTimings.Stage;

/**
 * Bytes → aligned face: decode (a large JPEG at reduced scale), pad, detect, choose a face, its five points
 * (from the detector, or 68 landmarks → 5), warp to the template (from full-size pixels when the reduced
 * copy has too few).
 * The service, {@code evaluate} and {@code align} all use this one path.
 */
@Component
public final class FacePipeline {

    private final ImageDecoder decoder;
    private final FaceDetector detector;
    private final LandmarkModel landmarks;
    private final FaceAligner aligner;
    private final DetectionProperties detection;

    FacePipeline(ImageDecoder decoder, FaceDetector detector, LandmarkModel landmarks, FaceAligner aligner,
                 DetectionProperties detection) {
        this.detection = detection;
        this.decoder = decoder;
        this.detector = detector;
        this.landmarks = landmarks;
        this.aligner = aligner;
    }

    /**
     * @param which names the image in error messages ("image1")
     * @throws dev.faceoff.common.FaceoffException with the stable code of what went wrong
     */
    public PreparedFace prepare(byte[] bytes, FaceSelection selection, String which, StageTimings timings) {
        return prepare(bytes, selection, which, timings, detection.pad());
    }

    /**
     * @param pad a border added around the image before detection, as a fraction of its larger side
     *            (replicated edge pixels): helps on tight, pre-cropped faces (serving: faceoff.detection.pad).
     *            Boxes and points are reported in the original image's coordinates.
     */
    public PreparedFace prepare(byte[] bytes, FaceSelection selection, String which, StageTimings timings, double pad) {
        long t = timings.start();
        // a large JPEG is decoded at the smallest DCT scale the detector needs (decodeSide)
        try (DecodedImage image = decoder.decode(bytes, decodeSide())) {
            timings.stop(Stage.DECODE, t);
            t = timings.start();
            Look look = firstLook(image.bgr(), border(pad, image.width(), image.height()), selection);
            timings.stop(Stage.DETECT, t);
            if (look.faces().isEmpty() && closerLookHelps(image)) {
                look.release(image.bgr());
                return closerLook(bytes, image, selection, which, timings);
            }
            try {
                return prepare(bytes, image, look.image(), look.rotation(), look.border(), look.faces(), selection, which,
                        timings);
            } finally {
                look.release(image.bgr());
            }
        }
    }

    /**
     * The longer side below which a large JPEG is not DCT-scaled for the first look: three quarters of
     * {@code max-side} (480 of 640). The detector takes a copy of at most {@code max-side}, so a 12-megapixel
     * photo (4000 px) decodes at 1/8 (500 px) instead of 1/4 (1000 px, shrunk to 640): the entropy decoding
     * is the same, the rest of the decode a third, and the detector's input 0.6× the pixels, with faces 0.78×
     * as large as at 640. A face too small for that copy is found by the closer look (a finer decode), and one
     * with too few pixels for the template is aligned from a finer decode ({@code enlargement}).
     */
    public int decodeSide() {
        return (detection.maxSide() * 3 + 3) / 4;
    }

    /** The memory {@code bytes}' pixels take while prepared, from the header (admission's memory budget). */
    public long workingBytes(byte[] bytes) {
        return decoder.workingBytes(bytes, decodeSide());
    }

    /**
     * True when the detector saw a copy scaled down to {@code max-side} and a copy twice as large would show
     * it more of the photo's pixels.
     */
    private boolean closerLookHelps(DecodedImage image) {
        double longerAsSent = Math.max(image.width(), image.height()) / image.scale();
        return detection.closerLook() && detector.scalesWithMaxSide() && longerAsSent > detection.maxSide();
    }

    /**
     * No face at {@code max-side}: the photo looked at once more, as it is, at twice {@code max-side}, from a
     * decode with that many pixels: {@code first} itself when it has them (a PNG, or a JPEG decoded at full
     * size), else the JPEG decoded again at a finer scale. A face 2.5% of a 12-megapixel photo's longer side
     * is about 16 px on the 640 px copy and 32 px on the 1280 px one.
     */
    private PreparedFace closerLook(byte[] bytes, DecodedImage first, FaceSelection selection, String which,
                                    StageTimings timings) {
        int maxSide = 2 * detection.maxSide();
        if (first.scale() == 1 || Math.max(first.width(), first.height()) >= maxSide) {
            return closerLook(bytes, first, maxSide, selection, which, timings);
        }
        long t = timings.start();
        try (DecodedImage finer = decoder.decode(bytes, maxSide)) {
            timings.stop(Stage.DECODE, t);
            return closerLook(bytes, finer, maxSide, selection, which, timings);
        }
    }

    private PreparedFace closerLook(byte[] bytes, DecodedImage image, int maxSide, FaceSelection selection,
                                    String which, StageTimings timings) {
        long t = timings.start();
        List<DetectedFace> faces = detector.detect(image.bgr(), maxSide);
        timings.stop(Stage.DETECT, t);
        return prepare(bytes, image, image.bgr(), Rotation.NONE, 0, faces, selection, which, timings);
    }

    /**
     * The border for {@code pad} (a fraction of the longer side), or none when the padded image would have
     * more than 4 times the pixels: a tight face crop is about square, and a 65535×1 strip padded by a
     * quarter of its length would be a 3-gigapixel image (found by the fuzzer).
     */
    static int border(double pad, int width, int height) {
        long b = Math.round(pad * Math.max(width, height));
        return (width + 2 * b) * (height + 2 * b) > 4L * width * height ? 0 : (int) b;
    }

    /** Where the faces were found: the image, padded by {@code border} px and turned by {@code rotation}. */
    private record Look(Mat image, int border, Rotation rotation, List<DetectedFace> faces) {
        void release(Mat original) {
            if (image != original) {
                NativeLedger.release(image);
            }
        }
    }

    /**
     * The coarse look ({@code faceoff.detection.coarse-look}) where it may answer, else {@link #look}: a photo
     * larger than half {@code max-side} is detected on a copy of half {@code max-side} (a quarter of the
     * pixels; not where that is below {@code min-side}), and that look kept when its largest face's side (the
     * root of its box's area) is at least {@value #COARSE_FACE} of the copy's longer side (32 px of 320) and no
     * face is cut by the frame. Only for {@code largest} and {@code prominent}:
     * a face smaller than that cannot be the largest, and one at least half as large (the prominent ones) is
     * 23 px or more on the copy, which YuNet finds; {@code center}, {@code score} and {@code single} weigh every
     * face, however small, and take the full look. A photo whose face is smaller pays the coarse look in vain
     * (about 4 ms: a detection on 320×256 and the copy).
     */
    private Look firstLook(Mat bgr, int border, FaceSelection selection) {
        int coarseSide = coarseSide(selection);
        double longer = Math.max(bgr.cols(), bgr.rows());
        if (coarseSide > 0 && longer > coarseSide) {
            List<DetectedFace> faces = detector.detect(bgr, coarseSide);
            double largest = faces.stream().mapToDouble(f -> Math.sqrt(f.box().area())).max().orElse(0);
            if (largest >= COARSE_FACE * longer && faces.stream().noneMatch(f -> cut(f, bgr))) {
                return upright(new Look(bgr, 0, Rotation.NONE, faces), bgr);
            }
        }
        return look(bgr, border);
    }

    /**
     * The longer side of the coarse look's copy for {@code selection} (half {@code max-side}), or 0 where it never
     * answers: turned off, a detector of fixed input, half {@code max-side} below {@code min-side}, {@code pad-when:
     * always}, or a selection that weighs every face.
     */
    public int coarseSide(FaceSelection selection) {
        int side = detection.maxSide() / 2;
        boolean may = detection.coarseLook() && detector.scalesWithMaxSide() && side >= detection.minSide()
                && detection.padWhen() == DetectionProperties.PadWhen.NEEDED
                && (selection == FaceSelection.LARGEST || selection == FaceSelection.PROMINENT);
        return may ? side : 0;
    }

    /** The share of the coarse copy's longer side a face must have for the coarse look to be kept. */
    static final double COARSE_FACE = 0.1;

    /**
     * The framings tried, until one has a face: the image as it is (unless {@code pad-when: always}); padded,
     * when the image as it is had no face or a face cut by the frame; padded and turned a quarter either way
     * or half (faceoff.detection.try-rotations).
     */
    private Look look(Mat bgr, int border) {
        List<DetectedFace> asIs = List.of();
        if (border == 0 || detection.padWhen() == DetectionProperties.PadWhen.NEEDED) {
            asIs = detector.detect(bgr);
            if (!asIs.isEmpty() && (border == 0 || asIs.stream().noneMatch(f -> cut(f, bgr)))) {
                return upright(new Look(bgr, 0, Rotation.NONE, asIs), bgr);
            }
        }
        Mat padded = bgr;
        if (border > 0) {
            padded = NativeLedger.open(new Mat());
            Core.copyMakeBorder(bgr, padded, border, border, border, border, Core.BORDER_REPLICATE);
            List<DetectedFace> faces = detector.detect(padded);
            if (!faces.isEmpty()) {
                return upright(new Look(padded, border, Rotation.NONE, faces), bgr);
            }
        }
        if (asIs.isEmpty() && detection.tryRotations()) {
            for (Rotation r : Rotation.TRIED) {
                Mat turned = r.apply(padded);
                List<DetectedFace> faces = detector.detect(turned);
                if (!faces.isEmpty()) {
                    release(padded, bgr);
                    return new Look(turned, border, r, faces);
                }
                NativeLedger.release(turned);
            }
        }
        release(padded, bgr);
        return upright(new Look(bgr, 0, Rotation.NONE, asIs), bgr);   // cut faces only, or no face at all
    }

    /**
     * A photo turned without EXIF: YuNet still finds a face lying on its side, but with a low score and
     * points forced into an upright shape, which alignment cannot use. When the best score is below
     * {@value #UPRIGHT_SCORE}, the image is looked at turned a quarter either way and half; a turn whose best
     * face scores at least {@value #UPRIGHT_MARGIN} higher wins.
     */
    private Look upright(Look look, Mat original) {
        if (!detection.tryRotations() || look.faces().isEmpty()) {
            return look;
        }
        double best = look.faces().stream().mapToDouble(DetectedFace::score).max().orElse(0);
        if (best >= UPRIGHT_SCORE) {
            return look;
        }
        Look winner = look;
        double winnerScore = best + UPRIGHT_MARGIN;
        for (Rotation r : Rotation.TRIED) {
            Mat turned = r.apply(look.image());
            List<DetectedFace> faces = detector.detect(turned);
            double score = faces.stream().mapToDouble(DetectedFace::score).max().orElse(0);
            if (score >= winnerScore) {
                if (winner != look) {
                    NativeLedger.release(winner.image());
                }
                winner = new Look(turned, look.border(), r, faces);
                winnerScore = score;
            } else {
                NativeLedger.release(turned);
            }
        }
        if (winner != look) {
            look.release(original);
        }
        return winner;
    }

    static final double UPRIGHT_SCORE = 0.85;
    static final double UPRIGHT_MARGIN = 0.1;

    private static void release(Mat padded, Mat original) {
        if (padded != original) {
            NativeLedger.release(padded);
        }
    }

    /** True when a face's box runs past the image's edge: the frame cuts it, context is missing. */
    private static boolean cut(DetectedFace face, Mat image) {
        var b = face.box();
        return b.x1() < 0 || b.y1() < 0 || b.x2() > image.cols() || b.y2() > image.rows();
    }

    /** @param work the padded image, turned by {@code rotation}, in which {@code faces} were found */
    private PreparedFace prepare(byte[] bytes, DecodedImage image, Mat work, Rotation rotation, int border,
                                 List<DetectedFace> faces, FaceSelection selection, String which, StageTimings timings) {
        DetectedFace found = selection.choose(faces, work.cols(), work.rows(), which);
        DetectedFace face = found;
        if (usesLandmarks(found)) {
            long t = timings.start();
            face = withPoints(work, found);
            timings.stop(Stage.LANDMARKS, t);
        }

        long t = timings.start();
        double toOriginal = 1 / image.scale();
        AlignedFace aligned;
        double enlargement = image.scale() < 1 ? enlargement(face.points5()) : 0;
        if (enlargement > 1) {
            // too few pixels in the reduced copy (the warp would enlarge it): decode again, at the smallest
            // scale at which the warp does not enlarge (full size at most), turned the same way; the points
            // are found again there and the face aligned
            int minSide = (int) Math.ceil(Math.max(image.width(), image.height()) * enlargement);
            timings.stop(Stage.ALIGN, t);
            t = timings.start();
            try (DecodedImage finer = decoder.decode(bytes, minSide)) {
                timings.stop(Stage.DECODE, t);
                t = timings.start();
                Mat source = rotation.apply(finer.bgr());
                try {
                    double s = toOriginal * finer.scale();
                    DetectedFace fine = withPoints(source, found.shifted(-border, -border).scaled(s));
                    aligned = aligner.align(source, fine.points5());
                    face = fine.scaled(1 / s).shifted(border, border);   // back into the work image's pixels
                } finally {
                    if (source != finer.bgr()) {
                        NativeLedger.release(source);
                    }
                }
            }
        } else {
            aligned = aligner.align(work, face.points5());
        }
        timings.stop(Stage.ALIGN, t);
        // reported in the pixels of the image as sent
        face = rotation.undo(face.shifted(-border, -border), image.width(), image.height()).scaled(toOriginal);
        FaceQuality quality = FaceQuality.of(face.points5(), aligned, face.score());
        int width = (int) Math.round(image.width() * toOriginal);
        int height = (int) Math.round(image.height() * toOriginal);
        return new PreparedFace(aligned, face, face.points5(), width, height, faces.size(), quality);
    }

    /** RFB-320 (no points of its own), or configured: the 68-point landmark model finds the five points. */
    private boolean usesLandmarks(DetectedFace face) {
        return face.points5() == null || detection.points() != DetectionProperties.Points.DETECTOR;
    }

    /** The face with its five points: the detector's, or from 68 landmarks found in {@code image} (mean: both). */
    private DetectedFace withPoints(Mat image, DetectedFace face) {
        if (!usesLandmarks(face)) {
            return face;
        }
        double[] points = FivePoints.from68(landmarks.predict(image, face.box()));
        if (face.points5() != null && detection.points() == DetectionProperties.Points.MEAN) {
            for (int i = 0; i < points.length; i++) {
                points[i] = (points[i] + face.points5()[i]) / 2;
            }
        }
        return new DetectedFace(face.box(), face.score(), points);
    }

    /**
     * How much the warp onto the 112×112 template enlarges the face's pixels: the similarity transform's
     * scale (above 1: the decoded copy has fewer pixels than the template). A face found in a reduced decode is
     * aligned from it when it is at most 1, else from the smallest finer decode at which it is: the flat
     * 12-megapixel canvas's face (eyes 22 px at 1/8, the template's 35) from 1/4, not 1/2.
     */
    static double enlargement(double[] points5) {
        double[] m = SimilarityTransform.estimate(points5, SimilarityTransform.ARCFACE_112);
        return Math.hypot(m[0], m[3]);
    }
}
