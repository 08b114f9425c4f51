package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceTimeTest {

    static final long MS = 1_000_000;

    static ServiceTime after(ServiceTime estimate, long millis, int times) {
        for (int i = 0; i < times; i++) {
            estimate = estimate.after(millis * MS);
        }
        return estimate;
    }

    @Test
    void theMeanOfTheFirstTenThenATenthOfTheWayTowardsEachNewerSample() {
        assertThat(ServiceTime.NONE.nanos()).as("nothing served yet").isZero();
        ServiceTime two = after(after(ServiceTime.NONE, 100, 1), 300, 1);
        assertThat(two).isEqualTo(new ServiceTime(200 * MS, 2));
        ServiceTime ten = after(two, 100, 8);
        assertThat(ten).as("(100 + 300 + 8 × 100) / 10").isEqualTo(new ServiceTime(120 * MS, 10));
        ServiceTime eleven = ten.after(1_320 * MS);
        assertThat(eleven).as("120 + 0.1 × (1320 - 120)").isEqualTo(new ServiceTime(240 * MS, 11));
        assertThat(after(eleven, 300, 100).nanos()).as("converges on a steady service time").isBetween(299 * MS, 301 * MS);
    }

    @Test
    void aSlowFirstRequestWeighsOneNth() {
        ServiceTime slow = ServiceTime.NONE.after(5_000 * MS);
        assertThat(slow.nanos()).isEqualTo(5_000 * MS);
        assertThat(after(slow, 0, 4).nanos()).as("a fifth of it after four instant requests").isEqualTo(1_000 * MS);
    }
}
