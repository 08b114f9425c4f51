package dev.faceoff.model;

import java.time.Duration;

import org.springframework.stereotype.Component;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * The door every session run passes through. Shutdown closes it: runs already inside finish, later ones
 * are refused with {@code shutting_down} (503), and only when the last run has left are the sessions
 * closed — so a native session is never freed under a running inference.
 */
@Component
final class SessionGate {

    private int running;
    private boolean closed;

    /** A run inside the gate; closing it lets the run out. */
    interface Pass extends AutoCloseable {
        @Override
        void close();
    }

    synchronized Pass enter() {
        if (closed) {
            throw new FaceoffException(ErrorCode.SHUTTING_DOWN, "the server is shutting down; retry on another instance");
        }
        running++;
        return this::leave;
    }

    private synchronized void leave() {
        running--;
        if (running == 0) {
            notifyAll();
        }
    }

    /** Refuses new runs and waits up to {@code timeout} for the running ones; true when none is left. */
    synchronized boolean closeAndDrain(Duration timeout) throws InterruptedException {
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized int running() {
        return running;
    }
}
