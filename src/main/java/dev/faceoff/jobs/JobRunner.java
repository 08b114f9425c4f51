package dev.faceoff.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import dev.faceoff.model.ModelLoadException;

/**
 * Runs the command-line job named by {@code faceoff.job} (set by the main method from the first argument) and keeps
 * its exit code: 0 done, 1 failed (one line: the file and the cause), 2 a usage mistake (the line and the usage).
 */
@Component
@ConditionalOnProperty("faceoff.job")
final class JobRunner implements ApplicationRunner, ExitCodeGenerator {

    private final Map<String, Job> jobs;
    private int exitCode = 1;

    /** @param jobs every {@link Job} bean by its bean name, the job's name */
    JobRunner(Map<String, Job> jobs) {
        this.jobs = new TreeMap<>(jobs);
    }

    @Override
    public void run(ApplicationArguments arguments) throws Exception {
        exitCode = run(arguments.getSourceArgs(), System.err);
    }

    int run(String[] args, PrintStream out) throws IOException {
        String name = args.length > 0 ? args[0] : "";
        Job job = jobs.get(name);
        if (job == null) {
            out.println("error: unknown job '" + name + "'");
            out.print(usage(jobs.keySet()));
            return 2;
        }
        try {
            JobArgs parsed = JobArgs.parse(args);
            if (parsed.flag("help")) {
                out.print(job.usage());
                return 0;
            }
            return job.run(parsed, out);
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            out.print(job.usage());
            return 2;
        } catch (ModelLoadException | IOException | UncheckedIOException e) {
            out.println(name + ": failed: " + oneLine(e.getMessage()));
            return 1;
        }
    }

    /** The jobs there are, for a name that is none of them. */
    static String usage(Iterable<String> names) {
        return "usage: java -jar target/faceoff.jar JOB [--help | options]; JOB is one of: " + String.join(", ", names)
                + "\n";
    }

    private static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
