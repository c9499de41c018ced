package dev.aegaeon.platform.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.Generation;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.tokenizer.ChatMessage;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.SyntheticTokenizer;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The sampling parameters users send, through the OpenAI routes of the platform with the pooled
 * backend (the tiny synthetic Llama of {@code demo} on the CPU): the logprobs shapes of chat and
 * completions (streamed or not) against the model's own distribution computed here, n and best_of
 * with their usage, every parameter that used to be ignored changing the answer, response_format
 * constraining it, and a 400 naming each refused field.
 */
@QuarkusTest
@TestProfile(PooledBackendHttpTest.PoolProfile.class)
class SamplingParametersHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String QUESTION = "Hello there, what is the weather?";
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"}]";

    @TestHTTPResource("/")
    URI base;

    private static int[] greedyIds;
    /** Raw log-softmax of the model at each greedy step: [step][vocab]. */
    private static double[][] greedyLogprobs;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void runTheModelAlone() throws Exception {
        Path dir = Files.createTempDirectory("aegaeon-tokenizer-");
        SyntheticTokenizer.write(dir);
        ModelConfig config = ModelShapes.tiny(ModelFamily.LLAMA);
        tokenizer = TextTokenizer.load(dir);
        try (CpuBackend backend = new CpuBackend();
             SyntheticWeights weights = new SyntheticWeights(config, 42);
             InferenceEngine engine = new InferenceEngine(config, weights, backend, new EngineOptions(16, 64, null))) {
            ChatTemplate template = ChatTemplate.load(dir).orElseThrow();
            int[] prompt = tokenizer.encode(template.render(List.of(ChatMessage.user(QUESTION)), true), false);
            Generation g = engine.generate(prompt, SamplingParams.greedy(12).withStopTokenIds(config.eosTokenIds()));
            greedyIds = g.ids();
            int[] all = new int[prompt.length + greedyIds.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(greedyIds, 0, all, prompt.length, greedyIds.length);
            float[] logits = engine.promptLogits(all);
            int vocab = config.vocabSize();
            greedyLogprobs = new double[greedyIds.length][];
            for (int i = 0; i < greedyIds.length; i++) {
                int row = prompt.length - 1 + i;
                greedyLogprobs[i] = logSoftmax(logits, row * vocab, vocab);
            }
        }
    }

    /** log_softmax written out: log(exp(x_i) / sum_j exp(x_j)). */
    private static double[] logSoftmax(float[] x, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[offset + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[offset + i] - max);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = Math.log(Math.exp(x[offset + i] - max) / sum);
        return out;
    }

    private static int idOf(String oneToken) {
        int[] ids = tokenizer.encode(oneToken, false);
        assertEquals(1, ids.length, oneToken);
        return ids[0];
    }

    private static String text(int id) {
        return tokenizer.decode(new int[] {id}, false);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(String path, String body) throws Exception {
        HttpResponse<String> r = post(path, body);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private JsonNode chat(String extra) throws Exception {
        return ok("/v1/chat/completions", "{\"model\":\"demo\"," + MESSAGES + ",\"max_tokens\":12" + extra + "}");
    }

    private static String content(JsonNode response) {
        return response.get("choices").get(0).get("message").get("content").asText();
    }

    private List<JsonNode> events(String body) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        boolean done = false;
        for (String line : body.split("\n")) {
            if (!line.startsWith("data:")) continue;
            String data = line.substring(5).trim();
            if (data.equals("[DONE]")) done = true;
            else out.add(JSON.readTree(data));
        }
        assertTrue(done, body);
        return out;
    }

    @Test
    void chatLogprobsAreTheModelsRawDistributionInOpenAisShape() throws Exception {
        JsonNode r = chat(",\"temperature\":0,\"logprobs\":true,\"top_logprobs\":3");
        JsonNode content = r.get("choices").get(0).get("logprobs").get("content");
        assertEquals(greedyIds.length, content.size(), r.toString());
        assertEquals(r.get("usage").get("completion_tokens").asInt(), content.size());
        for (int i = 0; i < greedyIds.length; i++) {
            JsonNode e = content.get(i);
            assertEquals(text(greedyIds[i]), e.get("token").asText());
            assertEquals(greedyLogprobs[i][greedyIds[i]], e.get("logprob").asDouble(), 1e-3, "step " + i);
            List<Integer> bytes = new ArrayList<>();
            for (byte b : e.get("token").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)) bytes.add(b & 0xff);
            assertEquals(bytes.toString(), e.get("bytes").toString().replace(",", ", "));
            JsonNode top = e.get("top_logprobs");
            assertEquals(3, top.size());
            double[] lp = greedyLogprobs[i];
            Integer[] order = new Integer[lp.length];
            for (int k = 0; k < lp.length; k++) order[k] = k;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(lp[b], lp[a]));
            for (int k = 0; k < 3; k++) {
                assertEquals(text(order[k]), top.get(k).get("token").asText(), "step " + i + " rank " + k);
                assertEquals(lp[order[k]], top.get(k).get("logprob").asDouble(), 1e-3);
            }
        }
        assertTrue(chat(",\"temperature\":0").get("choices").get(0).get("logprobs").isNull(), "no logprobs unless asked");
    }

    @Test
    void completionLogprobsHaveTheLegacyShapeAndStreamTheSameValues() throws Exception {
        String body = "{\"model\":\"demo\",\"prompt\":\"" + QUESTION + "\",\"max_tokens\":8,\"temperature\":0,\"logprobs\":2";
        JsonNode r = ok("/v1/completions", body + "}");
        JsonNode lp = r.get("choices").get(0).get("logprobs");
        int n = r.get("usage").get("completion_tokens").asInt();
        assertEquals(n, lp.get("tokens").size());
        assertEquals(n, lp.get("token_logprobs").size());
        assertEquals(n, lp.get("top_logprobs").size());
        assertEquals(n, lp.get("text_offset").size());
        int offset = 0;
        for (int i = 0; i < n; i++) {
            String token = lp.get("tokens").get(i).asText();
            JsonNode top = lp.get("top_logprobs").get(i);
            // the 2 best plus the sampled token, keyed by text (byte pieces that decode alike share a key)
            assertTrue(top.size() >= 1 && top.size() <= 3, top.toString());
            assertEquals(lp.get("token_logprobs").get(i).asDouble(), top.get(token).asDouble(), 1e-9);
            assertEquals(offset, lp.get("text_offset").get(i).asInt());
            offset += token.codePointCount(0, token.length());
        }
        HttpResponse<String> s = post("/v1/completions", body + ",\"stream\":true}");
        assertEquals(200, s.statusCode(), s.body());
        List<Double> streamed = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (JsonNode chunk : events(s.body())) {
            JsonNode c = chunk.get("choices").get(0);
            if (!c.get("finish_reason").isNull()) continue;
            streamed.add(c.get("logprobs").get("token_logprobs").get(0).asDouble());
            offsets.add(c.get("logprobs").get("text_offset").get(0).asInt());
        }
        assertEquals(n, streamed.size());
        for (int i = 0; i < n; i++) {
            assertEquals(lp.get("token_logprobs").get(i).asDouble(), streamed.get(i), 1e-6);
            assertEquals(lp.get("text_offset").get(i).asInt(), offsets.get(i));
        }
    }

    @Test
    void streamedChatChunksCarryOneLogprobEntryEach() throws Exception {
        HttpResponse<String> s = post("/v1/chat/completions", "{\"model\":\"demo\"," + MESSAGES
                + ",\"max_tokens\":12,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":1,\"stream\":true}");
        assertEquals(200, s.statusCode(), s.body());
        int i = 0;
        for (JsonNode chunk : events(s.body())) {
            JsonNode c = chunk.get("choices").get(0);
            if (!c.get("finish_reason").isNull()) continue;
            JsonNode entries = c.get("logprobs").get("content");
            assertEquals(1, entries.size());
            assertEquals(greedyLogprobs[i][greedyIds[i]], entries.get(0).get("logprob").asDouble(), 1e-3);
            assertEquals(1, entries.get(0).get("top_logprobs").size());
            i++;
        }
        assertEquals(greedyIds.length, i);
    }

    @Test
    void nChoicesAreIndexedAndTheirTokensAllCounted() throws Exception {
        JsonNode r = chat(",\"temperature\":1.5,\"seed\":5,\"n\":3");
        JsonNode choices = r.get("choices");
        assertEquals(3, choices.size());
        Set<String> texts = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            assertEquals(i, choices.get(i).get("index").asInt());
            texts.add(choices.get(i).get("message").get("content").asText());
        }
        assertTrue(texts.size() > 1, "the choices are drawn independently: " + texts);
        JsonNode again = chat(",\"temperature\":1.5,\"seed\":5,\"n\":3");
        for (int i = 0; i < 3; i++) {
            assertEquals(choices.get(i).get("message"), again.get("choices").get(i).get("message"), "a seed reproduces every choice");
        }
        // streamed: each choice's chunks carry its index, each choice ends once, usage sums all choices
        HttpResponse<String> s = post("/v1/chat/completions", "{\"model\":\"demo\"," + MESSAGES
                + ",\"max_tokens\":6,\"temperature\":1.5,\"seed\":5,\"n\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals(200, s.statusCode(), s.body());
        int[] finishes = new int[2];
        int[] tokens = new int[2];
        JsonNode usage = null;
        for (JsonNode chunk : events(s.body())) {
            if (chunk.get("choices").isEmpty()) {
                usage = chunk.get("usage");
                continue;
            }
            JsonNode c = chunk.get("choices").get(0);
            int index = c.get("index").asInt();
            if (c.get("finish_reason").isNull()) tokens[index]++;
            else finishes[index]++;
        }
        assertEquals(1, finishes[0]);
        assertEquals(1, finishes[1]);
        assertEquals(tokens[0] + tokens[1], usage.get("completion_tokens").asInt());
    }

    @Test
    void bestOfKeepsTheCandidateWithTheHighestCumulativeLogprobAndBillsAll() throws Exception {
        String common = "{\"model\":\"demo\",\"prompt\":\"" + QUESTION + "\",\"max_tokens\":6,\"temperature\":1.5,\"seed\":11";
        JsonNode all = ok("/v1/completions", common + ",\"n\":3,\"logprobs\":0}");
        double best = Double.NEGATIVE_INFINITY;
        String bestText = null;
        for (JsonNode c : all.get("choices")) {
            double sum = 0;
            for (JsonNode v : c.get("logprobs").get("token_logprobs")) sum += v.asDouble();
            if (sum > best) {
                best = sum;
                bestText = c.get("text").asText();
            }
        }
        JsonNode one = ok("/v1/completions", common + ",\"n\":1,\"best_of\":3}");
        assertEquals(1, one.get("choices").size());
        assertEquals(bestText, one.get("choices").get(0).get("text").asText());
        assertTrue(one.get("choices").get(0).get("logprobs").isNull(), "logprobs were not asked for");
        assertEquals(all.get("usage").get("completion_tokens").asInt(), one.get("usage").get("completion_tokens").asInt(),
                "every candidate's tokens count");
    }

    @Test
    void everyPreviouslyIgnoredParameterChangesTheAnswer() throws Exception {
        String greedy = content(chat(",\"temperature\":0"));
        assertTrue(hasRepeat(greedyIds), "the greedy answer repeats a token, so the penalties have something to act on");
        int favoured = idOf("Z");
        assertTrue(content(chat(",\"temperature\":0,\"logit_bias\":{\"" + favoured + "\":100}")).startsWith("Z"));
        assertNotEquals(greedy, content(chat(",\"temperature\":0,\"frequency_penalty\":2")));
        assertNotEquals(greedy, content(chat(",\"temperature\":0,\"presence_penalty\":2")));
        assertNotEquals(greedy, content(chat(",\"temperature\":0,\"repetition_penalty\":2")));
        // hot sampling differs from greedy; top_k 1 or min_p 1 bring it back to greedy
        assertNotEquals(greedy, content(chat(",\"temperature\":2,\"seed\":3")));
        assertEquals(greedy, content(chat(",\"temperature\":2,\"seed\":3,\"top_k\":1")));
        assertEquals(greedy, content(chat(",\"temperature\":2,\"seed\":3,\"min_p\":1")));
    }

    private static boolean hasRepeat(int[] ids) {
        Set<Integer> seen = new HashSet<>();
        for (int id : ids) if (!seen.add(id)) return true;
        return false;
    }

    @Test
    void responseFormatConstrainsTheAnswerToTheSchema() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"enum\":[\"xy\"]}},\"required\":[\"a\"],\"additionalProperties\":false}";
        JsonNode r = ok("/v1/chat/completions", "{\"model\":\"demo\"," + MESSAGES + ",\"max_tokens\":200,\"temperature\":0.7,\"seed\":1,"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"t\",\"schema\":" + schema + "}}}");
        assertEquals("stop", r.get("choices").get(0).get("finish_reason").asText(), r.toString());
        assertEquals(JSON.readTree("{\"a\":\"xy\"}"), JSON.readTree(content(r)));
        // a model that favours blank lines above all: JSON mode bounds each gap, so it still writes and closes the object
        JsonNode o = ok("/v1/chat/completions", "{\"model\":\"demo\"," + MESSAGES + ",\"max_tokens\":60,\"temperature\":0,"
                + "\"logit_bias\":{\"" + idOf("\n") + "\":100,\"" + idOf("}") + "\":50},\"response_format\":{\"type\":\"json_object\"}}");
        String text = content(o);
        assertEquals("stop", o.get("choices").get(0).get("finish_reason").asText(), text);
        assertTrue(JSON.readTree(text).isObject(), text);
        assertTrue(text.strip().startsWith("{"), text);
    }

    @Test
    void structuredOutputsAsTheSdksWriteThemAreServed() throws Exception {
        // the Python SDK's schema for {steps: list[Step], final_answer: str} ($defs and $ref), with an Optional[str] note
        String schema = """
                {"$defs":{"Step":{"properties":{"explanation":{"type":"string","enum":["e"]},"output":{"const":"o","type":"string"}},
                  "required":["explanation","output"],"title":"Step","type":"object","additionalProperties":false}},
                 "properties":{"steps":{"items":{"$ref":"#/$defs/Step"},"type":"array"},
                  "note":{"anyOf":[{"type":"string","enum":["n"]},{"type":"null"}],"default":null}},
                 "required":["steps","note"],"type":"object","additionalProperties":false}""";
        JsonNode r = ok("/v1/chat/completions", "{\"model\":\"demo\"," + MESSAGES + ",\"max_tokens\":200,\"temperature\":0,"
                + "\"logit_bias\":{\"" + idOf("]") + "\":30},"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"math\",\"strict\":true,\"schema\":" + schema + "}}}");
        assertEquals("stop", r.get("choices").get(0).get("finish_reason").asText(), r.toString());
        JsonNode value = JSON.readTree(content(r));
        assertTrue(value.get("steps").isArray(), value.toString());
        for (JsonNode step : value.get("steps")) assertEquals(JSON.readTree("{\"explanation\":\"e\",\"output\":\"o\"}"), step);
        assertTrue(value.get("note").isNull() || value.get("note").asText().equals("n"), value.toString());
    }

    @Test
    void aClientShapedRequestGetsEverythingItAskedFor() throws Exception {
        // the body the official Python SDK sends for client.chat.completions.create(...) with these arguments
        String body = """
                {"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"%s"}],
                 "model":"demo","frequency_penalty":0.5,"logit_bias":{"%d":-100},"logprobs":true,"max_completion_tokens":8,
                 "n":2,"presence_penalty":0.3,"response_format":{"type":"text"},"seed":7,"stop":null,"stream":false,
                 "temperature":0.8,"top_logprobs":2,"top_p":0.9,"user":"user-123"}""".formatted(QUESTION, idOf("e"));
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").header("User-Agent", "OpenAI/Python 1.54.0")
                .header("X-Stainless-Lang", "python").header("Authorization", "Bearer sk-none")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        assertEquals("chat.completion", j.get("object").asText());
        assertEquals(2, j.get("choices").size());
        int tokens = 0;
        for (JsonNode c : j.get("choices")) {
            JsonNode content = c.get("logprobs").get("content");
            tokens += content.size();
            for (JsonNode e : content) {
                assertNotEquals("e", e.get("token").asText(), "logit_bias -100 bans the token 'e'");
                assertEquals(2, e.get("top_logprobs").size());
            }
        }
        assertEquals(tokens, j.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void refusedFieldsAreA400NamingThem() throws Exception {
        String[][] cases = {
                {",\"frobnicate\":1", "frobnicate"},
                {",\"top_logprobs\":2", "top_logprobs"},
                {",\"logprobs\":true,\"top_logprobs\":21", "top_logprobs"},
                {",\"logit_bias\":{\"x\":1}", "logit_bias"},
                {",\"logit_bias\":{\"5\":101}", "logit_bias"},
                {",\"top_k\":-2", "top_k"},
                {",\"min_p\":1.5", "min_p"},
                {",\"presence_penalty\":3", "presence_penalty"},
                {",\"repetition_penalty\":0", "repetition_penalty"},
                {",\"n\":0", "n"},
                {",\"best_of\":2", "best_of"},
                {",\"response_format\":{\"type\":\"yaml\"}", "response_format.type"},
                {",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"string\",\"pattern\":\"a+\"}}}",
                        "response_format.json_schema.schema"},
                {",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "tool_choice"},
                {",\"store\":true", "store"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = post("/v1/chat/completions", "{\"model\":\"demo\"," + MESSAGES + c[0] + "}");
            assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
            assertEquals(c[1], JSON.readTree(r.body()).get("error").get("param").asText(), c[0]);
        }
        String completion = "{\"model\":\"demo\",\"prompt\":\"x\"";
        for (String[] c : new String[][] {{",\"n\":2,\"best_of\":1", "best_of"}, {",\"best_of\":2,\"stream\":true", "best_of"},
                {",\"logprobs\":21", "logprobs"}, {",\"echo\":true", "echo"}, {",\"suffix\":\"s\"", "suffix"},
                {",\"logit_bias\":{\"100000\":1}", "logit_bias"}}) {
            HttpResponse<String> r = post("/v1/completions", completion + c[0] + "}");
            assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
            assertEquals(c[1], JSON.readTree(r.body()).get("error").get("param").asText(), c[0]);
        }
    }
}
