package dev.faceoff;

import java.util.Set;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * faceoff: do these two photos show the same person? With no arguments (or Spring options) it serves
 * HTTP; {@code evaluate …}, {@code align …}, {@code robustness …} and {@code import …} run a command-line job on the same components and exit.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class FaceoffApplication {

    static final Set<String> JOBS = Set.of("evaluate", "align", "robustness", "import");

    public static void main(String[] args) {
        // SIGTERM/SIGINT close the context before ONNX Runtime's own shutdown hook frees its environment
        if (args.length > 0 && JOBS.contains(args[0])) {
            var context = OrderedShutdown.start(hook -> new SpringApplicationBuilder(FaceoffApplication.class)
                    .web(WebApplicationType.NONE)
                    .logStartupInfo(false)
                    .registerShutdownHook(hook)
                    .properties("faceoff.job=" + args[0], "logging.level.root=WARN",
                            "logging.level.dev.faceoff.model.ModelRepository=WARN")
                    .run(args));
            System.exit(SpringApplication.exit(context));
        }
        OrderedShutdown.start(hook -> new SpringApplicationBuilder(FaceoffApplication.class)
                .registerShutdownHook(hook).run(args));
    }
}
