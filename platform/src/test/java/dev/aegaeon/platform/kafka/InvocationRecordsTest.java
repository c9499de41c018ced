package dev.aegaeon.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class InvocationRecordsTest {
    static RecordHeaders headers(String... kv) {
        var h = new RecordHeaders();
        for (int i = 0; i + 1 < kv.length; i += 2) h.add(kv[i], kv[i + 1].getBytes(StandardCharsets.UTF_8));
        return h;
    }

    @Test
    void recordsWithoutCloudEventHeadersArePlainInvocations() {
        assertEquals(Optional.empty(), InvocationRecords.cloudEventProblem(headers("authorization", "Bearer x")));
    }

    @Test
    void cloudEventsMustBeVersion1OfTheInvocationType() {
        assertEquals(Optional.empty(), InvocationRecords.cloudEventProblem(
                headers("ce_specversion", "1.0", "ce_type", "dev.aegaeon.invocation", "ce_id", "1", "ce_source", "/s")));
        assertTrue(InvocationRecords.cloudEventProblem(headers("ce_specversion", "0.1", "ce_type", "dev.aegaeon.invocation"))
                .orElseThrow().contains("ce_specversion"));
        assertTrue(InvocationRecords.cloudEventProblem(headers("ce_specversion", "1.0", "ce_type", "com.evil.type"))
                .orElseThrow().contains("com.evil.type"));
        assertTrue(InvocationRecords.cloudEventProblem(headers("ce_type", "dev.aegaeon.invocation")).isPresent(),
                "CloudEvents attributes without a spec version");
    }

    @Test
    void theApiKeyIsTakenOutOfTheRecord() {
        var h = headers("authorization", "Bearer sk-1", "other", "kept");
        assertEquals(Optional.of("sk-1"), InvocationRecords.takeApiKey(h));
        assertNull(h.lastHeader("authorization"));
        assertEquals("kept", new String(h.lastHeader("other").value(), StandardCharsets.UTF_8));
    }

    @Test
    void httpClientAdviceIsDropped() {
        assertEquals("We could not parse the JSON body of your request.", InvocationRecords.withoutHttpHint(
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)"));
    }
}
