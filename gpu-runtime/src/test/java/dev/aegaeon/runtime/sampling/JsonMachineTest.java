package dev.aegaeon.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class JsonMachineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean accepts(JsonSchema schema, String text) {
        return new JsonMachine(schema).feed(text);
    }

    private static boolean complete(JsonSchema schema, String text) {
        JsonMachine m = new JsonMachine(schema);
        return m.feed(text) && m.canEnd();
    }

    private static JsonSchema schema(String json) throws Exception {
        return JsonSchema.parse(JSON.readTree(json));
    }

    @Test
    void anyObjectAcceptsValidJsonAndItsPrefixesOnly() {
        JsonSchema s = JsonSchema.ANY_OBJECT;
        for (String ok : new String[] {"{}", "{\"a\": [1, -2.5e+3, true, null, {\"b\": \"x\\u00e9\\n\"}], \"c\": 0}", " { \"k\" : false } "}) {
            assertTrue(complete(s, ok.strip()), ok);
            for (int i = 0; i < ok.length(); i++) assertTrue(accepts(s, ok.substring(0, i)), ok.substring(0, i));
        }
        for (String bad : new String[] {"[", "\"x\"", "{a", "{\"a\" 1", "{\"a\":01", "{\"a\":1,}", "{\"a\":tru ", "{}x", "{\"a\":\"\u0001\"}", "{\"a\":1.}"}) {
            assertFalse(complete(s, bad), bad);
        }
        assertFalse(accepts(s, "{\"a\":1,}"));
        assertFalse(accepts(s, "{} "), "nothing after the value");
    }

    @Test
    void whitespaceIsBoundedToOneSpaceOrANewlineAndIndentSoBlankLinesCannotRunAway() throws Exception {
        JsonSchema s = JsonSchema.ANY_OBJECT;
        Object value = JSON.readValue("{\"a\":[1,{\"b\":\"x y\"}],\"c\":null}", Object.class);
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        for (String ok : new String[] {pretty, "{ \"a\" : [ 1 , 2 ] }", "\n{\n\t\t\"a\": 1\n}", "{\"a\":\"  x  \"}",
                "{\n" + " ".repeat(JsonMachine.MAX_INDENT) + "\"a\":1}"}) {
            assertTrue(complete(s, ok), ok);
        }
        for (String bad : new String[] {"\n\n", "  {", "\t{", "{\n\n", "{  ", "{ \n", "{\"a\":1\r\n}", "[1,\n\n2]",
                "{\n" + " ".repeat(JsonMachine.MAX_INDENT + 1)}) {
            assertFalse(accepts(s, bad), bad.replace("\n", "\\n"));
        }
        JsonMachine m = new JsonMachine(s);
        assertTrue(m.feed("{ "));
        assertFalse(m.copy().feed(' '), "a copy keeps the gap's state");
        assertTrue(m.copy().feed('"'));
    }

    @Test
    void aCompactMachineTakesOneLineWithAtMostOneSpaceBetweenTokens() {
        JsonSchema s = JsonSchema.ANY_OBJECT;
        for (String ok : new String[] {"{\"a\":1}", "{\"a\": 1, \"b\": [1, 2]}", "{ \"a\" : \"x  y\" }"}) {
            JsonMachine m = new JsonMachine(s, true);
            assertTrue(m.feed(ok) && m.canEnd(), ok);
        }
        for (String bad : new String[] {" {", "\n{", "{\n", "{  ", "{\"a\":  1", "{\"a\":1,\t"}) {
            assertFalse(new JsonMachine(s, true).feed(bad), bad.replace("\n", "\\n"));
        }
        assertTrue(new JsonMachine(s, true).copy().feed("{ "), "a copy stays compact and keeps its gap");
        JsonMachine m = new JsonMachine(s, true);
        m.feed("{ ");
        assertFalse(m.copy().feed(' '));
    }

    @Test
    void theSchemaNamesTypesKeysRequiredAndEnums() throws Exception {
        JsonSchema s = schema("""
                {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
                 "color":{"enum":["red","green"]},"tags":{"type":"array","items":{"type":"string"}}},
                 "required":["name","age"],"additionalProperties":false}""");
        assertTrue(complete(s, "{\"name\":\"x\",\"age\":3}"));
        assertTrue(complete(s, "{\"age\":3,\"name\":\"x\",\"color\":\"green\",\"tags\":[\"a\",\"b\"]}"));
        assertFalse(accepts(s, "{\"nam\":"), "unknown key");
        assertFalse(accepts(s, "{\"zzz"), "no declared key starts so");
        assertFalse(accepts(s, "{\"name\":\"x\"}"), "age is required");
        assertFalse(accepts(s, "{\"age\":3.5"), "integer");
        assertFalse(accepts(s, "{\"age\":\"3\""), "integer, not string");
        assertFalse(accepts(s, "{\"color\":\"blue"), "enum");
        assertFalse(accepts(s, "{\"tags\":[1"), "items are strings");
        assertFalse(accepts(s, "{\"age\":1,\"age\""), "no duplicate keys");
        JsonSchema one = schema("{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"integer\"}},\"additionalProperties\":false}");
        assertFalse(accepts(one, "{\"k\":1,"), "no comma once every allowed name is written: nothing could follow it");
        assertTrue(complete(one, "{\"k\":1}"));
    }

    @Test
    void topLevelNumbersMayEndAtTheEndOfText() throws Exception {
        JsonSchema n = schema("{\"type\":\"number\"}");
        assertTrue(complete(n, "-12.5"));
        assertFalse(complete(n, "-12."));
        assertEquals(true, new JsonMachine(n).feed("7"));
    }

    @Test
    void aSchemaOrNullIsAcceptedInTheThreeWaysSdksWriteIt() throws Exception {
        for (String note : new String[] {
                "{\"type\":[\"string\",\"null\"]}",
                // pydantic's Optional[str], as the OpenAI Python SDK sends it
                "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}],\"default\":null,\"title\":\"Note\"}",
                // z.string().nullable(), as the OpenAI Node SDK's zodResponseFormat sends it
                "{\"type\":\"string\",\"nullable\":true}"}) {
            JsonSchema s = schema("{\"type\":\"object\",\"properties\":{\"note\":" + note + "},\"required\":[\"note\"],\"additionalProperties\":false}");
            assertTrue(complete(s, "{\"note\":null}"), note);
            assertTrue(complete(s, "{\"note\":\"x\"}"), note);
            assertFalse(accepts(s, "{\"note\":1"), note);
            assertFalse(accepts(s, "{\"note\":nul1"), note);
        }
        JsonSchema color = schema("{\"anyOf\":[{\"type\":\"null\"},{\"enum\":[\"red\",\"green\"]}]}");
        assertTrue(complete(color, "null"));
        assertTrue(complete(color, "\"red\""));
        assertFalse(accepts(color, "\"blue"));
        assertFalse(accepts(schema("{\"type\":\"string\"}"), "n"), "not nullable unless the schema says so");
        JsonSchema literal = schema("{\"const\":\"only\",\"type\":\"string\"}");
        assertTrue(complete(literal, "\"only\""));
        assertFalse(accepts(literal, "\"other"));
        assertThrows(JsonSchema.Unsupported.class, () -> schema("{\"const\":3}"));
    }

    /** Pydantic's schema of the OpenAI structured-outputs guide's MathReasoning model (a list of Step models), as the Python SDK sends it. */
    static final String MATH_REASONING = """
            {"$defs":{"Step":{"properties":{"explanation":{"title":"Explanation","type":"string"},
              "output":{"title":"Output","type":"string"}},"required":["explanation","output"],"title":"Step","type":"object",
              "additionalProperties":false}},
             "properties":{"steps":{"items":{"$ref":"#/$defs/Step"},"title":"Steps","type":"array"},
              "final_answer":{"title":"Final Answer","type":"string"}},
             "required":["steps","final_answer"],"title":"MathReasoning","type":"object","additionalProperties":false}""";

    @Test
    void localRefsToDefsAreInlinedAndRecursiveOrDanglingOnesRefused() throws Exception {
        JsonSchema s = schema(MATH_REASONING);
        assertTrue(complete(s, "{\"steps\":[{\"explanation\":\"a\",\"output\":\"b\"}],\"final_answer\":\"c\"}"));
        assertFalse(accepts(s, "{\"steps\":[{\"explanation\":\"a\",\"other\""), "the Step definition's keys apply inside the list");
        assertFalse(accepts(s, "{\"steps\":[1"), "items are Step objects");
        JsonSchema zod = schema("{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/definitions/P\"},\"b\":{\"$ref\":\"#/definitions/P\"}},"
                + "\"required\":[\"a\",\"b\"],\"additionalProperties\":false,\"definitions\":{\"P\":{\"type\":\"integer\"}}}");
        assertTrue(complete(zod, "{\"a\":1,\"b\":2}"));
        assertFalse(accepts(zod, "{\"a\":\"x"));
        JsonSchema named = schema("{\"type\":\"object\",\"properties\":{\"$ref\":{\"type\":\"integer\"}}}");
        assertTrue(complete(named, "{\"$ref\":3}"), "a property named $ref is a name, not a reference");

        var recursive = assertThrows(JsonSchema.Unsupported.class, () -> schema(
                "{\"$defs\":{\"Node\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/Node\"}}}},\"$ref\":\"#/$defs/Node\"}"));
        assertTrue(recursive.getMessage().contains("recursive"), recursive.getMessage());
        var dangling = assertThrows(JsonSchema.Unsupported.class, () -> schema("{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/Missing\"}}"));
        assertTrue(dangling.getMessage().contains("#/$defs/Missing"), dangling.getMessage());
        assertThrows(JsonSchema.Unsupported.class, () -> schema("{\"$ref\":\"https://example.com/s.json\"}"));
        assertThrows(JsonSchema.Unsupported.class, () -> schema("{\"$defs\":{\"P\":{}},\"properties\":{\"a\":{\"$ref\":\"#/$defs/P\",\"type\":\"string\"}},\"type\":\"object\"}"));
    }

    @Test
    void unsupportedKeywordsAreRefusedByName() {
        var e = assertThrows(JsonSchema.Unsupported.class, () -> schema("{\"type\":\"string\",\"pattern\":\"a+\"}"));
        assertTrue(e.getMessage().contains("pattern"), e.getMessage());
        assertThrows(JsonSchema.Unsupported.class, () -> schema("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}"));
        assertThrows(JsonSchema.Unsupported.class, () -> schema("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}],\"type\":\"string\"}"));
        assertThrows(JsonSchema.Unsupported.class, () -> schema("{\"type\":[\"string\",\"integer\"]}"));
        assertThrows(JsonSchema.Unsupported.class, () -> schema("{\"type\":\"array\",\"minItems\":1}"));
    }
}
