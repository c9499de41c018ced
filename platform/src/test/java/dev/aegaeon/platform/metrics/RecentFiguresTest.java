package dev.aegaeon.platform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.Limits;
import dev.aegaeon.functions.ModelSource;
import dev.aegaeon.platform.engine.TrivialEngine;
import dev.aegaeon.platform.invoke.InvocationService;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The dashboard's latency percentiles and attainment describe the last minutes, not the time since start. */
class RecentFiguresTest {
    @Test
    void aSlowHourLongAgoNoLongerShowsInTheRecentPercentilesOrAttainment() throws Exception {
        MockClock clock = new MockClock();
        MicrometerInvocationMetrics metrics = new MicrometerInvocationMetrics(new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock));
        try (TrivialEngine engine = new TrivialEngine();
             InvocationService service = new InvocationService(engine, metrics, 8, Duration.ofSeconds(30))) {
            service.register(new FunctionSpec("f", new ModelSource.Synthetic("echo", 1, Duration.ofMillis(1)), null, null,
                    new Limits(100, 100, 1, 1), Optional.empty()));
            metrics.register("f", service, engine);
            for (int i = 0; i < 100; i++) {
                metrics.timeToFirstToken("f", TimeUnit.SECONDS.toNanos(5));
                metrics.interTokenLatency("f", TimeUnit.MILLISECONDS.toNanos(400));
                metrics.sloScore("f", 0.0);
            }
            MicrometerInvocationMetrics.Latencies busy = metrics.recentLatencies("f");
            assertEquals(5.0, busy.ttft()[0], 0.5, "the slow period while it lasts");
            assertEquals(0.0, metrics.recentSloAttainment("f").orElseThrow(), 1e-9);

            clock.add(MicrometerInvocationMetrics.RECENT.plusSeconds(1));
            assertEquals(0, metrics.recentLatencies("f").ttft().length, "nothing in the window: no figure rather than an old one");
            assertTrue(metrics.recentSloAttainment("f").isEmpty());

            for (int i = 0; i < 10; i++) {
                metrics.timeToFirstToken("f", TimeUnit.MILLISECONDS.toNanos(20));
                metrics.interTokenLatency("f", TimeUnit.MILLISECONDS.toNanos(10));
                metrics.sloScore("f", 1.0);
            }
            MicrometerInvocationMetrics.Latencies now = metrics.recentLatencies("f");
            assertEquals(0.02, now.ttft()[1], 0.005, "p99 TTFT of the last minutes: " + now.ttft()[1]);
            assertEquals(0.01, now.timeBetweenTokens()[1], 0.003, "p99 TBT of the last minutes");
            assertEquals(1.0, metrics.recentSloAttainment("f").orElseThrow(), 1e-9);
            assertEquals(10 / 110.0, metrics.sloAttainment("f").orElseThrow(), 1e-9, "the since-start figure stays for the API");
        }
    }
}
