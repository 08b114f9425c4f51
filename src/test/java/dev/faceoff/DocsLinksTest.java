package dev.faceoff;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The README is a front door and docs/ holds the depth: every relative link in README.md, docs/*.md and
 * training/README.md resolves to a file, and a link to a heading ({@code file.md#heading}) to a heading of that
 * file (GitHub's anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered).
 */
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

    @Test
    void everyRelativeLinkResolvesToAFileAndHeading() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("training", "README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        var broken = new ArrayList<String>();
        int checked = 0;
        for (Path page : pages) {
            for (String target : links(Files.readString(page))) {
                if (target.matches("^[a-z]+:.*")) {   // http:, https:, mailto:
                    continue;
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (anchor != null && resolved.toString().endsWith(".md")
                        && !anchors(Files.readString(resolved)).contains(anchor)) {
                    broken.add(page + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
        assertThat(checked).as("relative links checked").isGreaterThan(20);
    }

    @Test
    void theReadmeIsAFrontDoor() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        assertThat(lines.size()).as("README.md lines").isLessThanOrEqualTo(250);
        String text = String.join("\n", lines) + "\n" + docsText();
        for (String word : List.of("this session", "last session", "this task", "missed by")) {
            assertThat(text.toLowerCase(Locale.ROOT)).as("README and docs speak of the product, not of its making")
                    .doesNotContain(word);
        }
    }

    @Test
    void anchorsFollowGitHubsRules() {
        assertThat(anchors("## Bring your own model\n## Errors\n## Errors\n### `faceoff.models.*` (store)\n"))
                .contains("bring-your-own-model", "errors", "errors-1", "faceoffmodels-store");
        assertThat(links("see [a](docs/api.md#errors) and `[b](not/a/link.md)`\n```\n[c](in/code.md)\n```\n"))
                .containsExactly("docs/api.md#errors");
    }

    private static String docsText() throws IOException {
        var out = new StringBuilder();
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            for (Path p : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                out.append(Files.readString(p)).append('\n');
            }
        }
        return out.toString();
    }

    /** Link targets outside code blocks and inline code. */
    static List<String> links(String markdown) {
        var out = new ArrayList<String>();
        boolean code = false;
        for (String line : markdown.split("\n")) {
            if (line.strip().startsWith("```")) {
                code = !code;
                continue;
            }
            if (code) {
                continue;
            }
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    static Set<String> anchors(String markdown) {
        var seen = new HashMap<String, Integer>();
        var out = new HashSet<String>();
        boolean code = false;
        for (String line : markdown.split("\n")) {
            if (line.strip().startsWith("```")) {
                code = !code;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (code || !m.matches()) {
                continue;
            }
            String slug = m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s_-]", "").replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum);
            out.add(n == 1 ? slug : slug + "-" + (n - 1));
        }
        return out;
    }
}
