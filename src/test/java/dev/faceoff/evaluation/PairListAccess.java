package dev.faceoff.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Test access to LFW pairs: {image1, image2, "true"|"false"} of one fold. */
public final class PairListAccess {

    private PairListAccess() {
    }

    public static List<String[]> fold(Path pairsFile, Path root, int fold) throws IOException {
        return PairList.lfw(pairsFile, root).pairs().stream().filter(p -> p.fold() == fold)
                .map(p -> new String[]{p.image1(), p.image2(), Boolean.toString(p.same())}).toList();
    }
}
