package dev.faceoff.modelimport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import dev.faceoff.model.ModelLoader;

/**
 * A model folder written beside its place in the store under a hidden name ({@link ModelLoader#STAGING_PREFIX},
 * which the service does not load) and moved into place only when complete; closed before that, it is deleted, so
 * a failed import leaves the store as it was.
 */
final class StagedFolder implements AutoCloseable {

    private final Path path;
    private final Path target;
    private boolean placed;

    private StagedFolder(Path path, Path target) {
        this.path = path;
        this.target = target;
    }

    /** A new, empty folder beside {@code target} (in the same file system, so the final move is a rename). */
    static StagedFolder beside(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path path = parent.resolve(hidden(target, ""));
        Files.createDirectory(path);
        return new StagedFolder(path, target.toAbsolutePath());
    }

    private static String hidden(Path target, String what) {
        return ModelLoader.STAGING_PREFIX + target.getFileName() + what + "-" + Long.toHexString(System.nanoTime());
    }

    Path path() {
        return path;
    }

    /** Moves the folder to its place; a folder already there is set aside first and deleted once this one is in. */
    void place() throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling(hidden(target, "-replaced"));
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        placed = true;
        if (old != null) {
            delete(old);
        }
    }

    /** Deletes the folder unless it was placed. */
    @Override
    public void close() {
        if (!placed) {
            delete(path);
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
