package dev.faceoff.jobs;

import java.io.IOException;
import java.io.PrintStream;

/**
 * A command-line job ({@code java -jar faceoff.jar NAME --option …}) on the service's own components. A job is a
 * bean whose name is the job's: {@code @Component("evaluate")}. That one list of beans is what the dispatcher
 * ({@link JobRunner}) runs and what its usage text names.
 */
public interface Job {

    /** The job's usage text, from {@code usage: java -jar target/faceoff.jar NAME …} on. */
    String usage();

    /**
     * Runs the job and gives its exit code. A usage mistake is an {@code IllegalArgumentException}; a failure the
     * user can act on (an unreadable file, a model that cannot load) a {@code ModelLoadException} or
     * {@code IOException} whose message names the file and the cause.
     */
    int run(JobArgs args, PrintStream out) throws IOException;
}
