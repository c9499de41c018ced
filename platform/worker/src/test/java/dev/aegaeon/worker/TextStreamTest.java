package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.engine.FinishReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop strings end a pooled request with STOP and their text is never delivered. */
class TextStreamTest {

    @Test
    void stopStringCutsTheTextAndEndsTheRequest() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            pool.register(Reference.synthetic("t", "tiny-llama", 21));
            int[] prompt = Reference.prompt(21, 12);
            CollectingSink full = new CollectingSink();
            pool.submit("t", prompt, Reference.greedy(40), full);
            full.await();
            String text = full.text.toString();
            assertTrue(text.length() >= 12, "the model must produce some text for this test: '" + text + "'");
            // A stop string taken from the middle of the real output: everything before it must come back.
            String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
            int cut = text.indexOf(stop);
            CollectingSink stopped = new CollectingSink();
            pool.submit("t", prompt, Reference.greedy(40).withStopStrings(List.of(stop)), stopped);
            assertEquals(FinishReason.STOP, stopped.await());
            assertEquals(text.substring(0, cut), stopped.text.toString());
            assertTrue(stopped.completionTokens < full.completionTokens);
        }
    }
}
