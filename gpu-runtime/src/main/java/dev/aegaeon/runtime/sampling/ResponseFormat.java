package dev.aegaeon.runtime.sampling;

/**
 * What shape the generated text must have (OpenAI's {@code response_format}). {@link Text} leaves
 * decoding free; the others constrain each step to tokens that keep the text a prefix of a valid
 * JSON value (of the schema), and the sequence stops when that value is complete.
 */
public sealed interface ResponseFormat {
    Text TEXT = new Text();

    /** Free text. */
    record Text() implements ResponseFormat {}

    /** Any JSON object ({@code {"type":"json_object"}}). */
    record JsonObject() implements ResponseFormat {}

    /**
     * A JSON value valid against {@code schema} (the supported subset of JSON Schema, see
     * {@link JsonSchema}); {@code compact}: on one line, at most one space between tokens, as a
     * tool call's arguments are written ({@link JsonMachine#JsonMachine(JsonSchema, boolean)}).
     */
    record Schema(JsonSchema schema, boolean compact) implements ResponseFormat {
        public Schema(JsonSchema schema) { this(schema, false); }
    }
}
