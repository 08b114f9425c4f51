package dev.faceoff.identification;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * BLUFR's list files for LFW (its toolkit's {@code list/lfw/}, LISTS.txt): {@code image_list.txt} (the images, in the
 * order every other list indexes, 1-based), {@code labels.txt} (each image's subject) and, for its 10 trials,
 * {@code gallery_set.txt} and {@code probe_set.txt} ({@code trials}, then per trial a count and that many
 * {@code index, file} lines).
 *
 * @param images each image's path under lfw-deepfunneled ({@code Name/Name_0001.jpg})
 * @param labels each image's subject
 * @param trials each trial's gallery and probes, 0-based indexes into {@code images}
 */
record BlufrLists(List<String> images, int[] labels, List<Trial> trials) {

    record Trial(int[] gallery, int[] probes) {
    }

    static BlufrLists read(Path folder) throws IOException {
        List<String> names = lines(folder.resolve("image_list.txt"));
        List<String> labelLines = lines(folder.resolve("labels.txt"));
        if (labelLines.size() != names.size()) {
            throw new IOException(folder.resolve("labels.txt") + ": " + labelLines.size() + " labels for " + names.size()
                    + " images");
        }
        int[] labels = labelLines.stream().mapToInt(Integer::parseInt).toArray();
        List<int[]> galleries = sets(folder.resolve("gallery_set.txt"), names);
        List<int[]> probes = sets(folder.resolve("probe_set.txt"), names);
        if (galleries.size() != probes.size()) {
            throw new IOException(folder + ": " + galleries.size() + " gallery sets but " + probes.size() + " probe sets");
        }
        var trials = new ArrayList<Trial>();
        for (int t = 0; t < galleries.size(); t++) {
            trials.add(new Trial(galleries.get(t), probes.get(t)));
        }
        return new BlufrLists(names.stream().map(BlufrLists::lfwPath).toList(), labels, trials);
    }

    /** {@code Aaron_Peirsol_0001.jpg} → {@code Aaron_Peirsol/Aaron_Peirsol_0001.jpg}, as lfw-deepfunneled holds it. */
    static String lfwPath(String file) {
        return file.substring(0, file.lastIndexOf('_')) + "/" + file;
    }

    /** Each trial's indexes (0-based), each checked against the image list's file name. */
    private static List<int[]> sets(Path file, List<String> names) throws IOException {
        List<String> lines = lines(file);
        int at = 0;
        int trials = Integer.parseInt(lines.get(at++));
        var sets = new ArrayList<int[]>();
        for (int t = 0; t < trials; t++) {
            int n = Integer.parseInt(lines.get(at++));
            int[] set = new int[n];
            for (int i = 0; i < n; i++) {
                String line = lines.get(at++);
                String[] f = line.split(",\\s*");
                int index = Integer.parseInt(f[0]) - 1;
                if (f.length != 2 || index < 0 || index >= names.size() || !names.get(index).equals(f[1])) {
                    throw new IOException(file + ": line '" + line + "' does not match image_list.txt");
                }
                set[i] = index;
            }
            sets.add(set);
        }
        return sets;
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
