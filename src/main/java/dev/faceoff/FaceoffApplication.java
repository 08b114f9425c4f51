package dev.faceoff;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * faceoff: do these two photos show the same person? With no arguments (or only Spring options, {@code --key=value})
 * it serves HTTP; with a first argument that is not an option it runs the command-line job of that name (a
 * {@code dev.faceoff.jobs.Job} bean) on the same
 * components and exits.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class FaceoffApplication {

    public static void main(String[] args) {
        // SIGTERM/SIGINT close the context before ONNX Runtime's own shutdown hook frees its environment
        if (args.length > 0 && !args[0].startsWith("-")) {
            var context = OrderedShutdown.start(hook -> new SpringApplicationBuilder(FaceoffApplication.class)
                    .web(WebApplicationType.NONE)
                    .logStartupInfo(false)
                    .registerShutdownHook(hook)
                    .properties("faceoff.job=" + args[0], "logging.level.root=WARN")
                    .run(args));
            System.exit(SpringApplication.exit(context));
        }
        OrderedShutdown.start(hook -> new SpringApplicationBuilder(FaceoffApplication.class)
                .registerShutdownHook(hook).run(args));
    }
}
