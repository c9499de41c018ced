package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The KV settings: nothing to size by default, an optional per-model cap, one page size. */
class PoolOptionsKvTest {

    @Test
    void defaultsHaveNoPerModelCapAndOneMebibytePages() {
        PoolOptions d = PoolOptions.defaults();
        assertEquals(OptionalInt.empty(), d.kvTokenCap());
        assertEquals(1L << 20, d.kvPageBytes());
        assertEquals(OptionalInt.of(4096), d.withKvTokensPerModel(4096).kvTokenCap());
        assertEquals(0, d.withKvPageBytes(0).kvPageBytes(), "0 turns the shared pool off");
        assertEquals(8192, d.withKvPageBytes(8192).withMemoryBytes(1 << 30).kvPageBytes(), "every with-method keeps the page size");
    }

    @Test
    void nonsenseIsRefused() {
        PoolOptions d = PoolOptions.defaults();
        var cap = assertThrows(IllegalArgumentException.class, () -> d.withKvTokensPerModel(8));
        assertTrue(cap.getMessage().contains("kvTokensPerModel"), cap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.withKvTokensPerModel(-1));
        var page = assertThrows(IllegalArgumentException.class, () -> d.withKvPageBytes(-1));
        assertTrue(page.getMessage().contains("kvPageBytes"), page.getMessage());
    }
}
