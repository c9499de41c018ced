package dev.aegaeon.platform.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.aegaeon.functions.Slo;

class SloClockTest {
    static final long MS = 1_000_000;
    final Slo slo = new Slo(Duration.ofMillis(100), Duration.ofMillis(10));

    @Test
    void everyTokenOnTimeScoresOne() {
        SloClock c = new SloClock(slo, 0);
        c.token(90 * MS);
        c.token(110 * MS);
        c.token(120 * MS);
        assertEquals(1.0, c.score());
    }

    @Test
    void aLateTokenRestartsTheChainSoLaterTokensAreNotPunishedTwice() {
        SloClock c = new SloClock(slo, 0);
        c.token(90 * MS);   // due 100: on time
        c.token(200 * MS);  // due 110: late; next due 210
        c.token(205 * MS);  // on time against the restarted chain
        c.token(215 * MS);  // due 220: on time
        assertEquals(0.75, c.score());
    }
}
