package dev.aegaeon.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * CloudEvents 1.0 Kafka protocol binding, binary content mode: event attributes travel as
 * {@code ce_}-prefixed headers with UTF-8 string values, the record value is the event data and
 * the {@code content-type} header its media type.
 */
public final class CloudEventHeaders {
    private CloudEventHeaders() {}

    public static final String SPEC_VERSION = "ce_specversion";
    public static final String ID = "ce_id";
    public static final String TYPE = "ce_type";
    public static final String SOURCE = "ce_source";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String CONTENT_TYPE = "content-type";

    public static final String SPEC_VERSION_1_0 = "1.0";
    public static final String TYPE_INVOCATION = "dev.aegaeon.invocation";
    public static final String TYPE_RESULT = "dev.aegaeon.result";
    public static final String TYPE_TOKEN = "dev.aegaeon.token";
    public static final String JSON = "application/json";

    /** Writes the required attributes (specversion, id, type, source), time and a JSON content type. */
    public static void write(Headers headers, String id, String type, String source, Instant time) {
        put(headers, SPEC_VERSION, SPEC_VERSION_1_0);
        put(headers, ID, id);
        put(headers, TYPE, type);
        put(headers, SOURCE, source);
        put(headers, TIME, time.toString());
        put(headers, CONTENT_TYPE, JSON);
    }

    /** Replaces any previous value: a header appears once, as the binding requires for attributes. */
    public static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The last value of a header as UTF-8 text, if present. */
    public static Optional<String> text(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        if (h == null || h.value() == null) return Optional.empty();
        return Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }
}
