package dev.faceoff.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verification pairs with their folds, from the LFW {@code pairs.txt} format or a plain CSV
 * ({@code image1,image2,same}).
 *
 * @param root the folder the image paths are relative to
 */
public record PairList(String name, Path root, List<Pair> pairs, int folds) {

    /** Two images (paths relative to the root), whether they show the same person, and the fold. */
    public record Pair(String image1, String image2, boolean same, int fold) {
    }

    /**
     * A pair list by its file: a {@code .csv} ({@link #csv}, paths relative to {@code images}, default the CSV's
     * folder) or LFW's pairs.txt ({@link #lfw}, images in {@code images}, default {@code lfw-deepfunneled} beside it).
     */
    public static PairList read(Path pairsFile, Path images) throws IOException {
        Path folder = pairsFile.toAbsolutePath().getParent();
        if (pairsFile.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
            return csv(pairsFile, images != null ? images : folder, 10);
        }
        Path root = images != null ? images : folder.resolve("lfw-deepfunneled");
        FacePreparation.requireDirectory(root, "the images folder");
        return lfw(pairsFile, root);
    }

    /** Every distinct image, in first-seen order. */
    public List<String> images() {
        Set<String> images = new LinkedHashSet<>();
        for (Pair p : pairs) {
            images.add(p.image1());
            images.add(p.image2());
        }
        return new ArrayList<>(images);
    }

    /**
     * The identity an image belongs to: its folder's name, or the folder above a pose folder
     * ({@code frontal}, {@code profile}: CFP's {@code Data/Images/<id>/profile/01.jpg}).
     */
    public static String identity(String image) {
        Path parent = Path.of(image).getParent();
        if (parent == null) {
            return image;
        }
        String name = parent.getFileName().toString();
        if ((name.equals("frontal") || name.equals("profile")) && parent.getParent() != null) {
            return parent.getParent().toString();
        }
        return name;
    }

    /**
     * LFW View 2: a header "folds pairsPerHalf", then per fold that many same pairs
     * ({@code name n1 n2}) followed by as many different pairs ({@code name1 n1 name2 n2}).
     * Images live at {@code root/<name>/<name>_<nnnn>.jpg}.
     */
    public static PairList lfw(Path pairsFile, Path root) throws IOException {
        List<String> lines = Files.readAllLines(pairsFile).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String[] header = lines.get(0).split("\\s+");
        int folds;
        int perHalf;
        int first;
        if (header.length == 2) {
            folds = Integer.parseInt(header[0]);
            perHalf = Integer.parseInt(header[1]);
            first = 1;
        } else if (header.length == 1) {  // pairsDevTrain/DevTest: one count, one "fold"
            folds = 1;
            perHalf = Integer.parseInt(header[0]);
            first = 1;
        } else {
            throw new IOException(pairsFile + ": expected a header line 'folds pairs', got '" + lines.get(0) + "'");
        }
        var pairs = new ArrayList<Pair>();
        for (int i = first; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\\s+");
            int fold = (i - first) / (2 * perHalf);
            if (f.length == 3) {
                pairs.add(new Pair(lfwPath(f[0], f[1]), lfwPath(f[0], f[2]), true, fold));
            } else if (f.length == 4) {
                pairs.add(new Pair(lfwPath(f[0], f[1]), lfwPath(f[2], f[3]), false, fold));
            } else {
                throw new IOException(pairsFile + ":" + (i + 1) + ": expected 3 or 4 fields, got '" + lines.get(i) + "'");
            }
        }
        if (pairs.size() != folds * 2 * perHalf) {
            throw new IOException(pairsFile + ": header promises " + folds * 2 * perHalf + " pairs, found " + pairs.size());
        }
        return new PairList(pairsFile.getFileName().toString(), root, pairs, folds);
    }

    private static String lfwPath(String name, String number) {
        return name + "/" + name + "_" + String.format("%04d", Integer.parseInt(number)) + ".jpg";
    }

    /**
     * CSV with a header {@code image1,image2,same[,fold]} ({@code img1,img2,…} too; same: 1/0 or
     * true/false); paths relative to {@code root}. With a fold column its folds are kept (0-based); without,
     * folds are assigned round-robin in file order.
     */
    public static PairList csv(Path csvFile, Path root, int folds) throws IOException {
        List<String> lines = Files.readAllLines(csvFile).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String header = lines.isEmpty() ? "" : lines.get(0).replace(" ", "").toLowerCase(java.util.Locale.ROOT)
                .replace("img1", "image1").replace("img2", "image2");
        boolean withFold = header.equals("image1,image2,same,fold");
        if (!withFold && !header.equals("image1,image2,same")) {
            throw new IOException(csvFile + ": expected the header 'image1,image2,same[,fold]'");
        }
        int fields = withFold ? 4 : 3;
        var pairs = new ArrayList<Pair>();
        int maxFold = -1;
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            if (f.length != fields) {
                throw new IOException(csvFile + ":" + (i + 1) + ": expected " + fields + " fields");
            }
            String s = f[2].strip().toLowerCase(java.util.Locale.ROOT);
            boolean same = s.equals("1") || s.equals("true") || s.equals("same");
            if (!same && !(s.equals("0") || s.equals("false") || s.equals("different"))) {
                throw new IOException(csvFile + ":" + (i + 1) + ": 'same' must be 1/0 or true/false, got '" + f[2] + "'");
            }
            int fold = withFold ? Integer.parseInt(f[3].strip()) : (i - 1) % folds;
            if (fold < 0) {
                throw new IOException(csvFile + ":" + (i + 1) + ": negative fold");
            }
            maxFold = Math.max(maxFold, fold);
            pairs.add(new Pair(f[0].strip(), f[1].strip(), same, fold));
        }
        return new PairList(csvFile.getFileName().toString(), root, pairs, withFold ? maxFold + 1 : folds);
    }
}
