package dev.aegaeon.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultLedgerTest {
    @TempDir
    Path dir;

    @Test
    void anIdWithANewlineStaysOneIdAcrossARestart() throws Exception {
        Path file = dir.resolve("answered.log");
        try (ResultLedger ledger = new ResultLedger(file, 100)) {
            ledger.add("first\nsecond");
        }
        try (ResultLedger reopened = new ResultLedger(file, 100)) {
            assertTrue(reopened.contains("first\nsecond"));
            assertFalse(reopened.contains("first"), "a part of another id must not count as answered");
            assertFalse(reopened.contains("second"), "a part of another id must not count as answered");
        }
    }

    @Test
    void idsSurviveCompaction() throws Exception {
        Path file = dir.resolve("answered.log");
        try (ResultLedger ledger = new ResultLedger(file, 2)) {
            for (int i = 0; i < 9; i++) ledger.add("id\r\n" + i);
        }
        try (ResultLedger reopened = new ResultLedger(file, 2)) {
            assertTrue(reopened.contains("id\r\n8"));
            assertFalse(reopened.contains("id"));
        }
    }

    @Test
    void linesWrittenByTheOlderVerbatimFormatAreStillRead() throws Exception {
        Path file = dir.resolve("answered.log");
        Files.writeString(file, "legacy-id\n");
        try (ResultLedger ledger = new ResultLedger(file, 100)) {
            assertTrue(ledger.contains("legacy-id"));
        }
    }
}
