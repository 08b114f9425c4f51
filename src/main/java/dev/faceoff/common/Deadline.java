package dev.faceoff.common;

/**
 * When a request must have been answered ({@code faceoff.limits.deadline} after it arrived). Work checks it
 * between stages and abandons the request with 503 {@code deadline_exceeded} once it has passed.
 */
public record Deadline(long atNanos) {

    /** No deadline (jobs, tests). */
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    public static Deadline after(java.time.Duration duration) {
        return new Deadline(System.nanoTime() + duration.toNanos());
    }

    public long remainingNanos() {
        return atNanos == Long.MAX_VALUE ? Long.MAX_VALUE : atNanos - System.nanoTime();
    }

    /** @throws FaceoffException {@code deadline_exceeded} when the deadline has passed before {@code stage} */
    public void check(String stage) {
        if (remainingNanos() <= 0) {
            throw new FaceoffException(ErrorCode.DEADLINE_EXCEEDED,
                    "the request passed its deadline before " + stage + "; its work was abandoned, retry later");
        }
    }
}
