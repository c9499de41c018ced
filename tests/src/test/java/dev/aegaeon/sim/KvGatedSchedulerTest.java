package dev.aegaeon.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.Scheduler;
import dev.aegaeon.scheduler.SloTargets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The simulated KV gate holds a model's requests back until its block pool can take prompt + max tokens. */
class KvGatedSchedulerTest {

    /** Sees arrivals; a decode step's finished set ends those requests. */
    private static final class Recorder implements Scheduler {
        final List<Long> arrived = new ArrayList<>();
        final Map<Long, RequestState> states = new HashMap<>();

        public List<Decision> start() { return List.of(); }

        public List<Decision> handle(Event e) {
            switch (e) {
                case Event.Arrival a -> {
                    arrived.add(a.request().id());
                    states.put(a.request().id(), RequestState.DECODING);
                }
                case Event.DecodeStepDone d -> d.finished().forEach(id -> states.put(id, RequestState.FINISHED));
                default -> { }
            }
            return List.of();
        }

        public RequestState state(long id) { return states.get(id); }
    }

    private static RequestSpec req(long id, String model, int prompt, int output) {
        return new RequestSpec(id, model, prompt, output, id, new SloTargets(10, 0.1));
    }

    @Test
    void waitsForTheBlocksOfItsOwnModelAndKeepsArrivalOrder() {
        Recorder inner = new Recorder();
        // 64 positions in 16-token blocks: 4 + 1 = 5 blocks per model.
        KvGatedScheduler gate = new KvGatedScheduler(inner, 64, 16);
        gate.handle(new Event.Arrival(req(0, "a", 40, 20)));   // 4 blocks
        gate.handle(new Event.Arrival(req(1, "a", 16, 16)));   // 2 blocks: does not fit beside #0
        gate.handle(new Event.Arrival(req(2, "a", 1, 1)));     // 1 block: fits, but waits behind #1 (first come first served)
        gate.handle(new Event.Arrival(req(3, "b", 40, 20)));   // another model's pool
        assertEquals(List.of(0L, 3L), inner.arrived);
        assertEquals(2, gate.heldBack());
        gate.handle(new Event.DecodeStepDone(0, 1, Set.of(0L)));
        assertEquals(List.of(0L, 3L, 1L, 2L), inner.arrived);
    }

    @Test
    void aRequestLargerThanThePoolIsRefusedAsThePlatformDoes() {
        KvGatedScheduler gate = new KvGatedScheduler(new Recorder(), 64, 16);
        var e = assertThrows(IllegalArgumentException.class, () -> gate.handle(new Event.Arrival(req(0, "a", 80, 20))));
        assertEquals(true, e.getMessage().contains("KV blocks"));
        assertThrows(IllegalArgumentException.class, () -> new KvGatedScheduler(new Recorder(), 8, 16));
    }
}
