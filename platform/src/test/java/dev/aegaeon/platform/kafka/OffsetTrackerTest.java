package dev.aegaeon.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetTrackerTest {
    final TopicPartition tp = new TopicPartition("t", 0);

    @Test
    void commitsOnlyPastRecordsThatAreAllDone() {
        OffsetTracker t = new OffsetTracker();
        t.started(tp, 10);
        t.started(tp, 11);
        t.started(tp, 12);
        t.done(tp, 11);
        t.done(tp, 12);
        assertEquals(10, t.toCommit().get(tp).offset(), "10 is still running: a crash must redeliver it");
        assertTrue(t.toCommit().isEmpty(), "nothing moved");
        t.done(tp, 10);
        assertEquals(13, t.toCommit().get(tp).offset());
        assertEquals(0, t.inProgress());
    }

    @Test
    void theLedgerRemembersAnsweredIdsAcrossRestarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ledger.log");
        try (ResultLedger l = new ResultLedger(file, 3)) {
            for (String id : new String[] {"a", "b", "c", "d"}) l.add(id);
            assertTrue(l.contains("d"));
            assertTrue(!l.contains("a"), "bounded: the oldest is forgotten");
        }
        try (ResultLedger again = new ResultLedger(file, 3)) {
            assertTrue(again.contains("b") && again.contains("c") && again.contains("d"));
        }
    }
}
