package dev.aegaeon.runtime.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real chat templates of Qwen2.5, Llama 3.1 and Mistral v0.3 (fixtures under
 * resources/chat), rendered by us and compared byte for byte with Python Jinja2 under
 * transformers' settings (expected.json, produced by resources/chat/render_expected.py).
 */
class ChatTemplateTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir Path dir;

    @TestFactory
    Stream<DynamicTest> rendersExactlyAsTransformersDoes() throws Exception {
        JsonNode cases = read("cases.json");
        JsonNode expected = read("expected.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                ChatTemplate template = load(c.get("config").asText());
                List<Map<String, Object>> messages = ChatTemplate.messagesFromJson(c.get("messages").toString());
                Map<String, Object> extra = new LinkedHashMap<>();
                if (c.has("tools")) extra.put("tools", MAPPER.convertValue(c.get("tools"), List.class));
                JsonNode want = expected.get(name);
                if (want.has("error")) {
                    var e = assertThrows(ChatTemplateException.class,
                            () -> template.renderRaw(messages, c.get("add_generation_prompt").asBoolean(), extra));
                    assertEquals(want.get("error").asText(), e.getMessage());
                } else {
                    assertEquals(want.get("text").asText(),
                            template.renderRaw(messages, c.get("add_generation_prompt").asBoolean(), extra));
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void plainMessagesApi() throws Exception {
        ChatTemplate qwen = load("qwen2.5");
        String out = qwen.render(List.of(ChatMessage.user("Hello!")), true);
        assertEquals(read("expected.json").get("qwen-default-system").get("text").asText(), out);
        assertEquals("<|im_end|>", qwen.eosToken());
        assertEquals("", qwen.bosToken());
    }

    @Test
    void listOfNamedTemplatesPicksDefault() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"eos_token": {"content": "</s>", "__type": "AddedToken"},
                 "chat_template": [{"name": "tool_use", "template": "TOOLS"},
                                   {"name": "default", "template": "{{ messages[0]['content'] }}{{ eos_token }}"}]}""");
        ChatTemplate t = ChatTemplate.load(dir).orElseThrow();
        assertEquals("hi</s>", t.render(List.of(ChatMessage.user("hi")), false));
    }

    @Test
    void absentTemplateIsEmptyAndBrokenOneIsAClearError() throws Exception {
        assertTrue(ChatTemplate.load(dir).isEmpty());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"x\"}");
        assertTrue(ChatTemplate.load(dir).isEmpty());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 5}");
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.load(dir));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{oops");
        var e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.load(dir));
        assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
    }

    @Test
    void pythonStringMethodsBehaveLikePython() {
        String tpl = "{{ messages[0].content.strip() }}|{{ messages[0].content.lstrip(' x') }}|"
                + "{{ messages[1].content.split('</think>')[-1].lstrip('\\n') }}|"
                + "{{ messages[1].content.startswith('<think>') }}|{{ messages[0].content.split() | length }}|"
                + "{{ messages[0].content.upper() }}";
        ChatTemplate t = new ChatTemplate(tpl, "", "");
        String out = t.render(List.of(ChatMessage.user("  xa b  "), ChatMessage.assistant("<think>r</think>\n\nanswer")), false);
        assertEquals("xa b|a b  |answer|true|2|  XA B  ", out);
    }

    @Test
    void pythonOnlySyntaxUsedByRealTemplates() {
        ChatTemplate t = new ChatTemplate("{% for m in messages[::-1] %}{{ m.role }}{{ loop.index0 }}{% endfor %}"
                + "|{% if messages[0].content is iterable %}I{% endif %}{% if not tools is defined %}N{% endif %}"
                + "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}"
                + "|{{ messages[0] }}|{{ ['a', 1] }}", "", "");
        assertEquals("assistant0user1|IN2|{'role': 'user', 'content': 'u'}|['a', 1]", t.render(List.of(ChatMessage.user("u"), ChatMessage.assistant("a")), false));
    }

    @Test
    void toJsonMatchesPythonJsonDumps() {
        assertEquals("{\"a\": [1, 2.5, true, null], \"b\": \"\\\"\\n\"}",
                PythonJson.dumps(Map.of("a", java.util.Arrays.asList(1, 2.5, true, null)).entrySet().stream()
                        .collect(LinkedHashMap::new, (m, e) -> { m.put(e.getKey(), e.getValue()); m.put("b", "\"\n"); }, Map::putAll), null));
        assertEquals("[\n  1,\n  {}\n]", PythonJson.dumps(List.of(1, Map.of()), 2));
        assertEquals("1e-06", PythonJson.floatRepr(1e-6));
        assertEquals("1.0", PythonJson.floatRepr(1.0));
        assertEquals("Grüße", PythonJson.dumps("Grüße", null).replace("\"", ""));
    }

    @Test
    void strftimeUsesPythonDirectives() {
        var t = java.time.LocalDateTime.of(2024, 7, 26, 9, 5, 3);
        assertEquals("26 Jul 2024", TemplateFunctions.strftime(t, "%d %b %Y"));
        assertEquals("Friday, July 26 09:05:03 %", TemplateFunctions.strftime(t, "%A, %B %d %H:%M:%S %%"));
    }

    static ChatTemplate load(String config) throws Exception {
        Path d = Files.createTempDirectory("chat");
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat/" + config + "-tokenizer_config.json")) {
            Files.copy(in, d.resolve("tokenizer_config.json"));
        }
        return ChatTemplate.load(d).orElseThrow();
    }

    static JsonNode read(String resource) throws Exception {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat/" + resource)) {
            return MAPPER.readTree(in);
        }
    }

    @Test
    void aMessagesNameAndToolCallIdReachTheTemplateOnlyWhenGiven() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}[{{ m.role }}|{{ m.name is defined }}|{{ m.name }}|{{ m.tool_call_id }}]{% endfor %}", "", "");
        assertEquals("[user|true|ann|][tool|false||call-1][user|false||]", t.render(List.of(new ChatMessage("user", "a", Map.of("name", "ann")),
                new ChatMessage("tool", "r", Map.of("tool_call_id", "call-1")), new ChatMessage("user", "b")), false));
    }
}
