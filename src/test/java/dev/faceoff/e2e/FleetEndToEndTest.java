package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.faceoff.Prerequisites;
import dev.faceoff.SharedData;

/**
 * The fleet of docs/operations.md ("Running a fleet") in its short form, in every {@code mvn verify}:
 * {@code bench/fleet.sh --short} starts three replicas of the packaged jar behind HAProxy with one PostgreSQL, one
 * Redis and a Prometheus scraping the replicas, checks the dashboard's totals against the replicas' own counters,
 * runs every scenario (rolling restart, killed replica, database restart, Redis restart, consistency) under load and
 * exits non-zero when one expected result does not hold; this test asserts its exit code and its table. Without
 * haproxy, redis-server, prometheus or PostgreSQL 15 + pgvector it is skipped with a message, and fails in CI
 * (bin/setup --test installs them).
 */
class FleetEndToEndTest {

    static final List<String> ROWS = List.of("observability", "rolling-restart", "killed-replica", "database-restart",
            "redis-restart", "consistency");

    @Test
    @Timeout(value = 16, unit = TimeUnit.MINUTES)   // three JVMs started, two of them once more, on a shared machine
    void everyScenarioOfTheFleetHoldsItsExpectedResult() throws Exception {
        for (String tool : List.of("/usr/sbin/haproxy", "/usr/bin/redis-server", "/usr/bin/prometheus",
                "/usr/lib/postgresql/15/bin/initdb", "/usr/share/postgresql/15/extension/vector.control")) {
            if (!Files.exists(Path.of(tool))) {
                throw Prerequisites.missing(tool + " not found (bin/setup --test installs haproxy, redis-server, "
                        + "prometheus, PostgreSQL 15 and pgvector)");
            }
        }
        SharedData.lfw();
        Path jar = Path.of("target/faceoff.jar");
        assertThat(jar).as("the packaged jar (mvn package runs before the end-to-end tests)").exists();
        Path log = Files.createTempFile("fleet", ".log");
        log.toFile().deleteOnExit();
        ProcessBuilder script = new ProcessBuilder("timeout", "900", "bench/fleet.sh", "--short", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        script.environment().put("FACEOFF_SHARED", SharedData.shared().toString());   // the LFW found above
        Process fleet = script.start();
        assertThat(fleet.waitFor(15, TimeUnit.MINUTES)).as("bench/fleet.sh --short ended in time").isTrue();
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(fleet.exitValue()).as("bench/fleet.sh --short exit code; its output:\n" + output).isZero();
        String summary = Files.readString(Path.of("target/fleet/summary.md"));
        for (String row : ROWS) {
            assertThat(summary).as("the table's row of " + row).contains("| " + row + " |");
        }
        assertThat(output).contains("fleet: observability: Requests per second by endpoint and outcome/A: verify answered 200")
                .contains(" every scenario passed");
    }
}
