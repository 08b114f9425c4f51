package dev.faceoff.evaluation;

import java.io.PrintStream;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** Runs the command-line job named by {@code faceoff.job} (set by the main method) and keeps its exit code. */
@Component
@ConditionalOnProperty("faceoff.job")
final class JobRunner implements ApplicationRunner, ExitCodeGenerator {

    private final EvaluateJob evaluate;
    private final AlignJob align;
    private int exitCode = 1;

    JobRunner(EvaluateJob evaluate, AlignJob align) {
        this.evaluate = evaluate;
        this.align = align;
    }

    @Override
    public void run(ApplicationArguments arguments) throws Exception {
        String[] args = arguments.getSourceArgs();
        PrintStream out = System.err;
        JobArgs parsed;
        try {
            parsed = JobArgs.parse(args);
            if (parsed.flag("help")) {
                out.print(parsed.job().equals("align") ? AlignJob.USAGE : EvaluateJob.USAGE);
                exitCode = 0;
                return;
            }
            exitCode = switch (parsed.job()) {
                case "evaluate" -> evaluate.run(parsed, out);
                case "align" -> align.run(parsed, out);
                default -> throw new IllegalArgumentException("unknown job " + parsed.job());
            };
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            out.print(args.length > 0 && args[0].equals("align") ? AlignJob.USAGE : EvaluateJob.USAGE);
            exitCode = 2;
        }
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
