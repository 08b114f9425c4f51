package dev.faceoff.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.annotation.AnnotationBeanNameGenerator;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;

import dev.faceoff.model.ModelLoadException;

/** The dispatcher's exit codes and lines, and the one list of jobs: the Job beans, which the docs name. */
class JobRunnerTest {

    /** A job that fails the way a real one does when a file cannot be used: a message over several lines. */
    static final class Failing implements Job {

        @Override
        public String usage() {
            return "usage: java -jar target/faceoff.jar failing\n";
        }

        @Override
        public int run(JobArgs args, PrintStream out) {
            args.allow();
            throw new ModelLoadException("/tmp/x.onnx: not a model ONNX Runtime can load:\n  Protobuf parsing failed");
        }
    }

    static String run(JobRunner runner, String... args) throws IOException {
        var bytes = new ByteArrayOutputStream();
        int code = runner.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return code + "|" + bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFailureIsOneLineAUsageMistakeShowsTheUsageAnUnknownJobListsTheJobs() throws IOException {
        var runner = new JobRunner(Map.of("failing", new Failing()));
        assertThat(run(runner, "failing")).isEqualTo(
                "1|failing: failed: /tmp/x.onnx: not a model ONNX Runtime can load: Protobuf parsing failed\n");
        assertThat(run(runner, "failing", "--bogus")).startsWith("2|error: unknown option --bogus")
                .endsWith("usage: java -jar target/faceoff.jar failing\n");
        assertThat(run(runner, "failing", "--help")).isEqualTo("0|usage: java -jar target/faceoff.jar failing\n");
        assertThat(run(runner, "nope")).startsWith("2|error: unknown job 'nope'\n").contains("JOB is one of: failing");
    }

    @Test
    void jobArgumentsAcceptSpaceAndEqualsForms() {
        JobArgs args = JobArgs.parse(new String[]{"evaluate", "--pairs", "p.txt", "--flip", "--models=a,b"});
        assertThat(args.require("pairs")).isEqualTo("p.txt");
        assertThat(args.flag("flip")).isTrue();
        assertThat(args.list("models")).containsExactly("a", "b");
        assertThatThrownBy(() -> args.allow("pairs")).hasMessageContaining("unknown option --flip");
    }

    /** Every Job bean's name, as the dispatcher sees it: the bean name. */
    static Set<String> jobNames() {
        var scanner = new ClassPathScanningCandidateComponentProvider(true);   // @Component classes
        var job = new AssignableTypeFilter(Job.class);
        scanner.addExcludeFilter((reader, factory) -> !job.match(reader, factory));
        var names = new TreeSet<String>();
        var generator = new AnnotationBeanNameGenerator();
        var registry = new DefaultListableBeanFactory();
        scanner.findCandidateComponents("dev.faceoff").forEach(d -> names.add(generator.generateBeanName(d, registry)));
        return names;
    }

    @Test
    void theOperationsPageListsEveryJobAndTheDocsNameNoOther() throws IOException {
        Set<String> jobs = jobNames();
        assertThat(jobs).contains("evaluate", "align", "robustness", "import");
        String operations = Files.readString(Path.of("docs", "operations.md"));
        String list = operations.substring(operations.indexOf("## Command-line jobs"));
        list = list.substring(0, list.indexOf("```", list.indexOf("```") + 3));
        var command = Pattern.compile("java -jar target/faceoff\\.jar ([a-z][a-z-]*)");
        Set<String> listed = command.matcher(list).results().map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));
        assertThat(listed).as("the job list of docs/operations.md").isEqualTo(jobs);
        try (Stream<Path> docs = Stream.concat(Stream.of(Path.of("README.md")), Files.list(Path.of("docs")))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).toList()) {
                command.matcher(Files.readString(doc)).results().map(m -> m.group(1))
                        .forEach(name -> assertThat(jobs).as(doc + " names the job '" + name + "'").contains(name));
            }
        }
    }
}
