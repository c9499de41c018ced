package dev.aegaeon.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The SSE framing and chunk interpretation, on a stream recorded from the platform and on the spec's edge cases. */
class SseParsingTest {

    private static List<CompletionChunk> chunks(String stream) {
        SseEventParser p = new SseEventParser();
        List<CompletionChunk> out = new ArrayList<>();
        for (String line : stream.split("\n", -1)) p.accept(line).ifPresent(d -> out.add(CompletionChunk.parse(d)));
        return out;
    }

    private static String recorded(String name) throws IOException {
        try (InputStream in = SseParsingTest.class.getResourceAsStream("/loadgen/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aRecordedPlatformStreamGivesTokensFinishUsageAndDone() throws IOException {
        // Recorded from the platform before it sent a chunk for every token: 6 tokens arrived in 3 text chunks.
        List<CompletionChunk> c = chunks(recorded("completion-stream.txt"));
        assertEquals(6, c.size());
        assertEquals(new CompletionChunk.Token("\n"), c.get(0));
        assertEquals(3, c.stream().filter(x -> x instanceof CompletionChunk.Token).count());
        assertEquals(new CompletionChunk.Finish("length"), c.get(3));
        assertEquals(new CompletionChunk.Usage(4, 6), c.get(4));
        assertInstanceOf(CompletionChunk.Done.class, c.get(5));
    }

    @Test
    void crlfLinesCommentsMultiLineDataAndOtherFieldsFollowTheSpec() {
        String stream = ": keep-alive\r\n\r\nevent: x\r\ndata: {\"choices\":[{\"text\":\"a\",\r\ndata: \"finish_reason\":null}]}\r\n\r\n"
                + "data:[DONE]\r\n\r\n";
        List<CompletionChunk> c = chunks(stream);
        assertEquals(List.of(new CompletionChunk.Token("a"), new CompletionChunk.Done()), c);
    }

    @Test
    void anEventWithoutItsBlankLineIsNotDispatched() {
        SseEventParser p = new SseEventParser();
        assertTrue(p.accept("data: [DONE]").isEmpty());
        assertEquals("[DONE]", p.accept("").orElseThrow());
        assertTrue(p.accept("").isEmpty(), "a second blank line dispatches nothing");
    }

    @Test
    void anErrorInsideTheStreamAndGarbageAreReportedNotThrown() {
        List<CompletionChunk> c = chunks("data: {\"error\":{\"message\":\"KV cache full\",\"type\":\"server_error\"}}\n\ndata: {oops\n\n");
        assertEquals(new CompletionChunk.Error("KV cache full"), c.get(0));
        assertInstanceOf(CompletionChunk.Error.class, c.get(1));
    }

    @Test
    void chatDeltasCountAsTokensToo() {
        List<CompletionChunk> c = chunks("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n");
        assertEquals(List.of(new CompletionChunk.Token("hi")), c);
    }
}
