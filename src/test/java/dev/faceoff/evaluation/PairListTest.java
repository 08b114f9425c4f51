package dev.faceoff.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairListTest {

    @Test
    void lfwFormatHasFoldsOfSameThenDifferentPairs(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("pairs.txt"), """
                2\t1
                Abel_Pacheco\t1\t4
                Ann\t2\tBob\t10
                Cid\t1\t2
                Dee\t3\tEve\t1
                """);
        PairList list = PairList.lfw(dir.resolve("pairs.txt"), dir);
        assertThat(list.folds()).isEqualTo(2);
        assertThat(list.pairs()).containsExactly(
                new PairList.Pair("Abel_Pacheco/Abel_Pacheco_0001.jpg", "Abel_Pacheco/Abel_Pacheco_0004.jpg", true, 0),
                new PairList.Pair("Ann/Ann_0002.jpg", "Bob/Bob_0010.jpg", false, 0),
                new PairList.Pair("Cid/Cid_0001.jpg", "Cid/Cid_0002.jpg", true, 1),
                new PairList.Pair("Dee/Dee_0003.jpg", "Eve/Eve_0001.jpg", false, 1));
        assertThat(list.images()).hasSize(8);
        assertThat(PairList.identity("Ann/Ann_0002.jpg")).isEqualTo("Ann");
    }

    @Test
    void lfwHeaderMustMatchThePairs(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("pairs.txt"), "10\t300\nA\t1\t2\n");
        assertThatThrownBy(() -> PairList.lfw(dir.resolve("pairs.txt"), dir)).hasMessageContaining("promises 6000");
    }

    @Test
    void csvFormatWithRoundRobinFolds(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("p.csv"), "image1,image2,same\na/1.jpg,a/2.jpg,1\na/1.jpg,b/1.jpg,false\n");
        PairList list = PairList.csv(dir.resolve("p.csv"), dir, 10);
        assertThat(list.pairs()).extracting(PairList.Pair::same).containsExactly(true, false);
        assertThat(list.pairs()).extracting(PairList.Pair::fold).containsExactly(0, 1);
        Files.writeString(dir.resolve("bad.csv"), "a,b\n");
        assertThatThrownBy(() -> PairList.csv(dir.resolve("bad.csv"), dir, 10)).hasMessageContaining("header");
    }

    @Test
    void csvWithItsOwnFoldsAndPoseFolders(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("fp.csv"), "img1,img2,same,fold\n"
                + "Data/Images/001/frontal/05.jpg,Data/Images/001/profile/01.jpg,1,0\n"
                + "Data/Images/001/frontal/05.jpg,Data/Images/002/profile/02.jpg,0,4\n");
        PairList list = PairList.csv(dir.resolve("fp.csv"), dir, 10);
        assertThat(list.folds()).isEqualTo(5);
        assertThat(list.pairs()).extracting(PairList.Pair::fold).containsExactly(0, 4);
        // the identity of a CFP image is the folder above its pose folder
        assertThat(PairList.identity("Data/Images/001/profile/01.jpg")).isEqualTo("Data/Images/001");
        assertThat(PairList.identity("Data/Images/001/frontal/05.jpg")).isEqualTo("Data/Images/001");
        assertThat(PairList.identity("Aaron_Peirsol/Aaron_Peirsol_0001.jpg")).isEqualTo("Aaron_Peirsol");
        Files.writeString(dir.resolve("short.csv"), "img1,img2,same,fold\na.jpg,b.jpg,1\n");
        assertThatThrownBy(() -> PairList.csv(dir.resolve("short.csv"), dir, 10)).hasMessageContaining("4 fields");
    }

    @Test
    void recordLogSurvivesATruncatedTail(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cache.bin");
        try (RecordLog log = RecordLog.open(file)) {
            log.put("a", new byte[]{1, 2, 3});
            log.put("b", new byte[]{4});
        }
        long full = Files.size(file);
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(full - 3);      // an interrupted write of "b"
        }
        try (RecordLog log = RecordLog.open(file)) {
            assertThat(log.get("a")).containsExactly(1, 2, 3);
            assertThat(log.contains("b")).isFalse();
            log.put("c", new byte[]{5});
        }
        try (RecordLog log = RecordLog.open(file)) {
            assertThat(log.size()).isEqualTo(2);
            assertThat(log.get("c")).containsExactly(5);
        }
    }
}
