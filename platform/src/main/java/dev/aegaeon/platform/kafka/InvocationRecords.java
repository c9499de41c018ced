package dev.aegaeon.platform.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import dev.aegaeon.kafka.CloudEventHeaders;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * What an invocation record means, read from its key and headers: the invocation id, the caller's
 * API key, and whether its CloudEvents attributes (if it has any) name an invocation.
 */
final class InvocationRecords {
    private InvocationRecords() {}

    /** The record header that carries the caller's API key, as HTTP's {@code Authorization} does. */
    static final String AUTHORIZATION = "authorization";

    /** The record key if it is valid UTF-8 text, else {@code ce_id}, else the record's coordinates (stable on redelivery). */
    static String invocationId(IncomingKafkaRecordMetadata<?, ?> r) {
        if (r.getKey() instanceof byte[] key && key.length > 0 && key.length <= 256) {
            try {
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(key)).toString();
                if (!text.isBlank()) return text;
            } catch (CharacterCodingException ignored) {
                // fall through
            }
        }
        return CloudEventHeaders.text(r.getHeaders(), CloudEventHeaders.ID).filter(s -> !s.isBlank() && s.length() <= 256)
                .orElse(r.getTopic() + "-" + r.getPartition() + "-" + r.getOffset());
    }

    /**
     * Takes the API key out of the {@code authorization} header ({@code Bearer } prefix optional)
     * and removes the header from the record, so no copy of the record (a dead letter) keeps it.
     */
    static Optional<String> takeApiKey(Headers headers) {
        Optional<String> key = CloudEventHeaders.text(headers, AUTHORIZATION)
                .map(v -> v.startsWith("Bearer ") ? v.substring(7) : v);
        headers.remove(AUTHORIZATION);
        return key;
    }

    /**
     * Why a record's CloudEvents attributes do not describe an invocation, or empty when they do.
     * A record with no {@code ce_} header at all is a plain invocation and passes; one that has any
     * must be CloudEvents {@code 1.0} of type {@code dev.aegaeon.invocation}.
     */
    static Optional<String> cloudEventProblem(Headers headers) {
        boolean any = false;
        for (Header h : headers) any |= h.key().startsWith("ce_");
        if (!any) return Optional.empty();
        String version = CloudEventHeaders.text(headers, CloudEventHeaders.SPEC_VERSION).orElse(null);
        if (!CloudEventHeaders.SPEC_VERSION_1_0.equals(version))
            return Optional.of("ce_specversion must be " + CloudEventHeaders.SPEC_VERSION_1_0 + ", was " + shown(version));
        String type = CloudEventHeaders.text(headers, CloudEventHeaders.TYPE).orElse(null);
        if (!CloudEventHeaders.TYPE_INVOCATION.equals(type))
            return Optional.of("ce_type must be " + CloudEventHeaders.TYPE_INVOCATION + ", was " + shown(type));
        return Optional.empty();
    }

    /** A request-parsing message without the advice meant for HTTP clients ("HINT: ... your HTTP library"). */
    static String withoutHttpHint(String message) {
        if (message == null) return "";
        int hint = message.indexOf(" (HINT:");
        return hint < 0 ? message : message.substring(0, hint);
    }

    /** A header value quoted for a diagnostic, cut short: never more than 64 characters of what a client sent. */
    static String shown(String value) {
        if (value == null) return "absent";
        return "'" + (value.length() > 64 ? value.substring(0, 64) + "..." : value) + "'";
    }
}
