package dev.aegaeon.platform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class StopMatcherTest {
    static String feed(StopMatcher m, String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> out.append(m.accept(Character.toString(cp))));
        return out.append(m.flush()).toString();
    }

    @Test
    void cutsBeforeTheEarliestStopStringAndNeverEmitsIt() {
        StopMatcher m = new StopMatcher(List.of("END", "ZZ"));
        assertEquals("hello ", feed(m, "hello END world ZZ"));
        assertTrue(m.stopped());
    }

    @Test
    void aPartialMatchThatFailsIsReleasedUnchanged() {
        StopMatcher m = new StopMatcher(List.of("END"));
        assertEquals("the ENigma ENds", feed(m, "the ENigma ENds"));
        assertFalse(m.stopped());
    }

    @Test
    void heldBackTextIsNotEmittedEarly() {
        StopMatcher m = new StopMatcher(List.of("abc"));
        assertEquals("x", m.accept("x"));
        assertEquals("", m.accept("a"));
        assertEquals("", m.accept("b"));
        assertEquals("", m.accept("c"));
        assertTrue(m.stopped());
    }

    @Test
    void withoutStopStringsEverythingPassesThrough() {
        assertEquals("anything", feed(new StopMatcher(List.of("")), "anything"));
    }
}
