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
    private final RobustnessJob robustness;
    private final ImportJob importer;
    private int exitCode = 1;

    JobRunner(EvaluateJob evaluate, AlignJob align, RobustnessJob robustness, ImportJob importer) {
        this.evaluate = evaluate;
        this.align = align;
        this.robustness = robustness;
        this.importer = importer;
    }

    @Override
    public void run(ApplicationArguments arguments) throws Exception {
        String[] args = arguments.getSourceArgs();
        PrintStream out = System.err;
        JobArgs parsed;
        try {
            parsed = JobArgs.parse(args);
            if (parsed.flag("help")) {
                out.print(usage(parsed.job()));
                exitCode = 0;
                return;
            }
            exitCode = switch (parsed.job()) {
                case "evaluate" -> evaluate.run(parsed, out);
                case "align" -> align.run(parsed, out);
                case "robustness" -> robustness.run(parsed, out);
                case "import" -> importer.run(parsed, out);
                default -> throw new IllegalArgumentException("unknown job " + parsed.job());
            };
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            out.print(usage(args.length > 0 ? args[0] : ""));
            exitCode = 2;
        }
    }

    private static String usage(String job) {
        return switch (job) {
            case "align" -> AlignJob.USAGE;
            case "robustness" -> RobustnessJob.USAGE;
            case "import" -> ImportJob.USAGE;
            default -> EvaluateJob.USAGE;
        };
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
