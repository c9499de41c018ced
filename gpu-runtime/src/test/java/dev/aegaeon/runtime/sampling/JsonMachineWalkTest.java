package dev.aegaeon.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Random walks through {@link JsonMachine}, one character at a time from every printable ASCII
 * character, newline and tab, half of them on compact machines: wherever a walk stands, either the value may end there or some
 * character continues it. A state with neither is a dead end, where constrained decoding could
 * only stop on an incomplete value.
 */
class JsonMachineWalkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] ALPHABET = alphabet();

    private static char[] alphabet() {
        StringBuilder b = new StringBuilder("\n\t");
        for (char c = 0x20; c < 0x7f; c++) b.append(c);
        return b.toString().toCharArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"type\":\"object\"}",
            "{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"integer\"}},\"additionalProperties\":false}",
            "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"},\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"a\",\"ab\",\"b c\"]}}},\"required\":[\"name\",\"age\"],\"additionalProperties\":false}",
            "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"},\"y\":{\"type\":\"boolean\"},\"z\":{\"type\":\"null\"}},\"required\":[\"x\"]}",
            "{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}},\"required\":[\"id\"],\"additionalProperties\":false}}",
            "{\"type\":\"number\"}",
            "{\"enum\":[\"red\",\"green\",\"greenish\"]}", "math-reasoning",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"null\"}]},\"b\":{\"type\":[\"array\",\"null\"],\"items\":{\"type\":\"string\",\"nullable\":true}}},\"required\":[\"a\",\"b\"],\"additionalProperties\":false}"})
    void everyReachableStateCanEndOrContinue(String schemaJson) throws Exception {
        if (schemaJson.equals("math-reasoning")) schemaJson = JsonMachineTest.MATH_REASONING;
        JsonSchema schema = JsonSchema.parse(JSON.readTree(schemaJson));
        SplittableRandom random = new SplittableRandom(schemaJson.hashCode());
        for (int walk = 0; walk < 200; walk++) {
            JsonMachine m = new JsonMachine(schema, walk % 2 == 1);
            StringBuilder text = new StringBuilder();
            for (int step = 0; step < 200 && !m.done(); step++) {
                List<Character> next = new ArrayList<>();
                for (char c : ALPHABET) if (m.copy().feed(c)) next.add(c);
                assertTrue(m.canEnd() || !next.isEmpty(), "a dead end after " + text + " (schema " + schemaJson + ")");
                if (next.isEmpty()) break;
                // lean towards structure so walks get deep instead of writing long strings
                char c = next.get(random.nextInt(next.size()));
                for (char s : new char[] {'"', '}', ']', ',', ':', '{', '['})
                    if (random.nextInt(4) == 0 && next.contains(s)) c = s;
                assertTrue(m.feed(c));
                text.append(c);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"enum\":[\"say \\\"hi\\\"\"]}", "{\"enum\":[\"a\\\\b\"]}", "{\"enum\":[\"line\\nbreak\"]}",
            "{\"type\":\"object\",\"properties\":{\"a\\\"b\":{}}}"})
    void enumValuesAndNamesThatNeedEscapesAreRefusedByTheSchemaNotLeftAsDeadEnds(String schemaJson) throws Exception {
        var e = assertThrows(JsonSchema.Unsupported.class, () -> JsonSchema.parse(JSON.readTree(schemaJson)));
        assertTrue(e.getMessage().contains("quotes, backslashes or control characters"), e.getMessage());
    }
}
