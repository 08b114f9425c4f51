package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ProcessMemoryMetricsTest {

    @Test
    void parsesTheStatusLine() {
        assertThat(ProcessMemoryMetrics.parse("VmRSS:\t  123456 kB")).isEqualTo(123456);
    }

    @Test
    void residentMemoryOfThisJvmIsAtLeastItsUsedHeap() {
        var registry = new SimpleMeterRegistry();
        new ProcessMemoryMetrics().bindTo(registry);
        double rss = registry.get("process.memory.rss").gauge().value();
        org.junit.jupiter.api.Assumptions.assumeTrue(!Double.isNaN(rss), "no /proc on this system");
        Runtime runtime = Runtime.getRuntime();
        assertThat(rss).isGreaterThan(runtime.totalMemory() - runtime.freeMemory());
    }
}
