package dev.faceoff;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md's code map, enforced: every class of a feature package depends (in its bytecode, so
 * fully-qualified uses count as much as imports) only on its own package, on the packages its "may import"
 * column names, and on libraries; and every public class is named in its package's "owns" column (by name, or
 * by a pattern the row states in backticks, such as {@code `*Properties`}). The map is read from the page, so
 * the page and the code stay together.
 */
class ArchitectureTest {

    private static final String ROOT = "dev.faceoff";
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+)` \\|.*\\| ([^|]+) \\|\\s*$");

    @Test
    void everyPackageImportsOnlyWhatTheCodeMapAllows() throws IOException {
        Map<String, Set<String>> allowed = codeMap(Files.readString(Path.of("docs", "architecture.md")));
        assertThat(allowed).as("packages in the code map").hasSizeGreaterThan(10);
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        var violations = new TreeSet<String>();
        var unmapped = new TreeSet<String>();
        for (JavaClass c : classes) {
            String from = feature(c.getPackageName());
            if (from == null) {
                continue;   // dev.faceoff itself: may import everything
            }
            if (!allowed.containsKey(from)) {
                unmapped.add(from);
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String to = feature(d.getTargetClass().getPackageName());
                if (to != null && !to.equals(from) && !allowed.get(from).contains(to)
                        && d.getTargetClass().getPackageName().startsWith(ROOT)) {
                    violations.add(from + " -> " + to + ": " + d.getDescription());
                }
            }
        }
        assertThat(unmapped).as("packages missing from docs/architecture.md").isEmpty();
        assertThat(violations).as("dependencies the code map does not allow").isEmpty();
    }

    @Test
    void everyPublicClassIsNamedInItsPackagesRow() throws IOException {
        Map<String, String> owns = ownsColumn(Files.readString(Path.of("docs", "architecture.md")));
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        var unnamed = new TreeSet<String>();
        for (JavaClass c : classes) {
            if (!c.getModifiers().contains(JavaModifier.PUBLIC) || !c.isTopLevelClass()) {
                continue;
            }
            String pkg = c.getPackageName().equals(ROOT) ? ROOT : feature(c.getPackageName());
            String row = owns.get(pkg);
            if (row == null || !names(row, c.getSimpleName())) {
                unnamed.add(pkg + ": " + c.getSimpleName());
            }
        }
        assertThat(unnamed).as("public classes the 'owns' column of docs/architecture.md does not name").isEmpty();
    }

    @Test
    void anOwnsColumnNamesClassesOrPatterns() {
        assertThat(names("`Admission` (the facade), `*Properties`", "Admission")).isTrue();
        assertThat(names("`Admission` (the facade), `*Properties`", "LimitsProperties")).isTrue();
        assertThat(names("`Admission` (the facade), `system.WorkerQueue`", "WorkerQueue")).isTrue();
        assertThat(names("`AdmissionFilter`", "Admission")).isFalse();
        assertThat(names("uses `Admission`es", "Admissions")).isFalse();
    }

    /** Whether a row's owns column names a class: {@code `Name`}, {@code `pkg.Name`}, or a {@code `*Suffix`} / {@code `Prefix*`} pattern. */
    static boolean names(String column, String simpleName) {
        Matcher tick = Pattern.compile("`([A-Za-z0-9_.*]+)`").matcher(column);
        while (tick.find()) {
            String name = tick.group(1);
            name = name.substring(name.lastIndexOf('.') + 1);
            if (name.equals(simpleName)) {
                return true;
            }
            if (name.contains("*") && simpleName.matches(Pattern.quote(name).replace("*", "\\E[A-Za-z0-9_]*\\Q"))) {
                return true;
            }
        }
        return false;
    }

    /** Each package's "owns" column ({@code dev.faceoff} for the root). */
    static Map<String, String> ownsColumn(String markdown) {
        var map = new LinkedHashMap<String, String>();
        Pattern row = Pattern.compile("^\\| `([a-z.]+)` \\| (.*) \\| ([^|]+) \\|\\s*$");
        for (String line : markdown.split("\n")) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                map.put(m.group(1), m.group(2));
            }
        }
        return map;
    }

    @Test
    void theMapIsReadFromItsTable() {
        var map = codeMap("| package | owns | may import |\n|---|---|---|\n"
                + "| `dev.faceoff` | the app | everything |\n| `face` | pipeline | `image`, `detection` |\n"
                + "| `common` | vocabulary | nothing |\n");
        assertThat(map).containsOnlyKeys("face", "common");
        assertThat(map.get("face")).containsExactlyInAnyOrder("image", "detection");
        assertThat(map.get("common")).isEmpty();
    }

    /** The feature package of a class's package ({@code dev.faceoff.face.x} → {@code face}); null for the root or a library. */
    private static String feature(String pkg) {
        if (!pkg.startsWith(ROOT + ".")) {
            return null;
        }
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    static Map<String, Set<String>> codeMap(String markdown) {
        var map = new LinkedHashMap<String, Set<String>>();
        for (String line : markdown.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (!m.matches() || m.group(1).equals(ROOT)) {
                continue;
            }
            List<String> names = new ArrayList<>();
            Matcher tick = Pattern.compile("`([a-z]+)`").matcher(m.group(2));
            while (tick.find()) {
                names.add(tick.group(1));
            }
            map.put(m.group(1), new TreeSet<>(names));
        }
        return map;
    }
}
