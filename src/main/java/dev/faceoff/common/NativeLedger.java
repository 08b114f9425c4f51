package dev.faceoff.common;

import java.util.concurrent.atomic.AtomicLong;

import org.opencv.core.Mat;

/**
 * Counts the native objects faceoff makes and frees: OpenCV Mats (their pixels live outside the Java heap)
 * and ONNX Runtime tensors and results. Every Mat of the request path is made through {@link #open} and
 * freed through {@link #release}, every tensor and result through {@link #track}; equal counts after a run
 * of requests mean nothing native was left behind ({@code NativeLedgerEndToEndTest}, and the
 * {@code faceoff_native_objects} gauges).
 */
public final class NativeLedger {

    private static final AtomicLong MATS_OPENED = new AtomicLong();
    private static final AtomicLong MATS_RELEASED = new AtomicLong();
    private static final AtomicLong TENSORS_OPENED = new AtomicLong();
    private static final AtomicLong TENSORS_CLOSED = new AtomicLong();

    private NativeLedger() {
    }

    /** What has been made and freed since the JVM started. */
    public record Counts(long matsOpened, long matsReleased, long tensorsOpened, long tensorsClosed) {
    }

    public static Counts counts() {
        return new Counts(MATS_OPENED.get(), MATS_RELEASED.get(), TENSORS_OPENED.get(), TENSORS_CLOSED.get());
    }

    /** A Mat just made (new, decoded, cloned, a submatrix). */
    public static <M extends Mat> M open(M mat) {
        MATS_OPENED.incrementAndGet();
        return mat;
    }

    /** Frees a Mat made through {@link #open}. */
    public static void release(Mat mat) {
        mat.release();
        MATS_RELEASED.incrementAndGet();
    }

    /** A native tensor or result, counted when made and when closed. */
    public record Tracked<T extends AutoCloseable>(T value) implements AutoCloseable {
        @Override
        public void close() {
            try {
                value.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + value.getClass().getSimpleName() + " failed", e);
            } finally {
                TENSORS_CLOSED.incrementAndGet();
            }
        }
    }

    public static <T extends AutoCloseable> Tracked<T> track(T value) {
        TENSORS_OPENED.incrementAndGet();
        return new Tracked<>(value);
    }
}
