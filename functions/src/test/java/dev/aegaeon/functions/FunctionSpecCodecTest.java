package dev.aegaeon.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FunctionSpecCodecTest {
    static final String FULL_YAML = """
            name: qwen-chat
            model:
              path: /models/Qwen2.5-0.5B-Instruct
            slo:
              ttft: 5s
              tpot: 50ms
            scaling:
              minScale: 1
              idleToWarm: 2m
              idleToCold: 1h
            limits:
              maxPromptTokens: 2048
              maxOutputTokens: 512
              maxConcurrent: 8
              maxQueued: 16
            apiKey: s3cret-key
            """;

    @Test
    void readsEveryFieldFromYaml() {
        FunctionSpec s = FunctionSpecCodec.parseYaml(FULL_YAML);
        assertEquals("qwen-chat", s.name());
        assertEquals(new ModelSource.HfDirectory(Path.of("/models/Qwen2.5-0.5B-Instruct")), s.model());
        assertEquals(new Slo(Duration.ofSeconds(5), Duration.ofMillis(50)), s.slo());
        assertEquals(new Scaling(1, Duration.ofMinutes(2), Duration.ofHours(1)), s.scaling());
        assertEquals(new Limits(2048, 512, 8, 16), s.limits());
        assertEquals(Optional.of("s3cret-key"), s.apiKey());
        assertEquals("qwen-chat.output", s.outputEventType());
    }

    @Test
    void omittedSectionsTakeTheirDefaults() {
        FunctionSpec s = FunctionSpecCodec.parseJson("{\"name\":\"demo\",\"model\":{\"synthetic\":{\"seed\":7}}}");
        assertEquals(new ModelSource.Synthetic("echo", 7, Duration.ofMillis(2)), s.model());
        assertEquals(Slo.DEFAULT, s.slo());
        assertEquals(Scaling.DEFAULT, s.scaling());
        assertEquals(Limits.DEFAULT, s.limits());
        assertEquals(Optional.empty(), s.apiKey());
    }

    @Test
    void jsonAndYamlRoundTripToTheSameSpec() {
        FunctionSpec yaml = FunctionSpecCodec.parseYaml(FULL_YAML);
        FunctionSpec again = FunctionSpecCodec.parseJson(FunctionSpecCodec.toJson(yaml));
        assertEquals(yaml, again);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bad name        | {\"name\":\"Bad Name\",\"model\":{\"synthetic\":{}}}                          | name",
            "missing model   | {\"name\":\"a\"}                                                                 | model",
            "both sources    | {\"name\":\"a\",\"model\":{\"path\":\"/m\",\"synthetic\":{}}}                | model",
            "unknown field   | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"slo\":{\"ttfs\":\"1s\"}}      | slo.ttfs",
            "bad duration    | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"slo\":{\"tpot\":\"fast\"}}    | slo.tpot",
            "zero ttft       | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"slo\":{\"ttft\":\"0s\"}}      | slo.ttft",
            "min scale 2     | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"scaling\":{\"minScale\":2}}   | scaling.minScale",
            "cold before warm| {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"scaling\":{\"idleToWarm\":\"5m\",\"idleToCold\":\"1m\"}} | scaling.idleToCold",
            "zero concurrency| {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"limits\":{\"maxConcurrent\":0}} | limits.maxConcurrent",
            "string number   | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"limits\":{\"maxQueued\":\"9\"}} | limits.maxQueued",
            "huge ISO warm   | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"scaling\":{\"idleToWarm\":\"PT3000000000000H\",\"idleToCold\":\"PT3000000000000H\"}} | scaling.idleToWarm",
            "huge short warm | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"scaling\":{\"idleToWarm\":\"999999999999h\",\"idleToCold\":\"999999999999h\"}} | scaling.idleToWarm",
            "huge cold       | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"scaling\":{\"idleToCold\":\"9000h\"}} | scaling.idleToCold",
            "overflowing ISO | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"slo\":{\"ttft\":\"PT9999999999999999H\"}} | slo.ttft",
            "huge tpot       | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"slo\":{\"tpot\":\"9000h\"}}    | slo.tpot",
            "huge interval   | {\"name\":\"a\",\"model\":{\"synthetic\":{\"tokenInterval\":\"9000h\"}}} | model.synthetic.tokenInterval",
            "short api key   | {\"name\":\"a\",\"model\":{\"synthetic\":{}},\"apiKey\":\"x\"}               | apiKey",
            "hub and path    | {\"name\":\"a\",\"model\":{\"path\":\"/m\",\"hub\":\"o/m\"}}             | model",
            "hub traversal   | {\"name\":\"a\",\"model\":{\"hub\":\"../etc\"}}                             | model.hub",
            "hub no org      | {\"name\":\"a\",\"model\":{\"hub\":\"gpt2\"}}                               | model.hub",
            "bad revision    | {\"name\":\"a\",\"model\":{\"hub\":\"o/m\",\"revision\":\"a/../b\"}}    | model.revision",
            "revision alone  | {\"name\":\"a\",\"model\":{\"path\":\"/m\",\"revision\":\"main\"}}      | model.revision",
            "not an object   | [1,2]                                                                           | (document)",
            "malformed json  | {\"name\":                                                                     | (document)",
    })
    void aValidationErrorNamesTheFieldAndTheRule(String caseName, String json, String field) {
        SpecValidationException e = assertThrows(SpecValidationException.class, () -> FunctionSpecCodec.parseJson(json));
        assertEquals(field, e.field(), caseName);
        assertTrue(e.getMessage().startsWith(field + ": ") && !e.rule().isBlank(), e.getMessage());
    }

    @Test
    void aHubSourceReadsWithItsRevisionDefaultingToMainAndRoundTrips() {
        FunctionSpec spec = FunctionSpecCodec.parseYaml("name: kjv\nmodel: {hub: aegaeon/kjv-6m}\n");
        assertEquals(new ModelSource.Hub("aegaeon/kjv-6m", "main"), spec.model());
        FunctionSpec pinned = FunctionSpecCodec.parseYaml("name: kjv\nmodel: {hub: aegaeon/kjv-6m, revision: v1.0}\n");
        assertEquals(new ModelSource.Hub("aegaeon/kjv-6m", "v1.0"), pinned.model());
        assertEquals(pinned, FunctionSpecCodec.parseJson(FunctionSpecCodec.toJson(pinned)));
    }

    @Test
    void aModelPathWithANulByteIsAValidationErrorNotACrash() {
        var e = assertThrows(SpecValidationException.class,
                () -> FunctionSpecCodec.parseJson("{\"name\":\"f\",\"model\":{\"path\":\"/models/a\\u0000b\"}}"));
        assertEquals("model.path", e.field());
    }

    @Test
    void malformedYamlIsAValidationErrorNotACrash() {
        var e = assertThrows(SpecValidationException.class, () -> FunctionSpecCodec.parseYaml("name: [unclosed"));
        assertEquals("(document)", e.field());
        var dup = assertThrows(SpecValidationException.class, () -> FunctionSpecCodec.parseYaml("name: a\nname: b\n"));
        assertEquals("(document)", dup.field());
    }

    @Test
    void readsADirectoryOfYamlAndJsonSortedByFileName(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.json"), "{\"name\":\"bee\",\"model\":{\"synthetic\":{}}}");
        Files.writeString(dir.resolve("a.yaml"), "name: ant\nmodel:\n  synthetic: {shape: echo}\n");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        List<String> names = FunctionSpecCodec.readDirectory(dir).stream().map(FunctionSpec::name).toList();
        assertEquals(List.of("ant", "bee"), names);

        Files.writeString(dir.resolve("c.yml"), "name: cat\nmodel: {synthetic: {}}\nlimits: {maxOutputTokens: -1}\n");
        var e = assertThrows(SpecValidationException.class, () -> FunctionSpecCodec.readDirectory(dir));
        assertEquals("c.yml: limits.maxOutputTokens", e.field());
    }

    @Test
    void apiKeyCheck() {
        FunctionSpec open = FunctionSpecCodec.parseYaml("name: a\nmodel: {synthetic: {}}\n");
        assertTrue(open.authorizes(null));
        FunctionSpec closed = FunctionSpecCodec.parseYaml(FULL_YAML);
        assertTrue(closed.authorizes("s3cret-key"));
        assertEquals(false, closed.authorizes("wrong-key!"));
        assertEquals(false, closed.authorizes(null));
    }

    @Test
    void aKeyIsStoredOnlyAsASaltedDigestThatStillAuthorizes() {
        FunctionSpec clear = FunctionSpecCodec.parseYaml(FULL_YAML);
        FunctionSpec hashed = clear.withHashedApiKey();
        String stored = hashed.apiKey().orElseThrow();
        assertTrue(stored.startsWith("sha256:") && !stored.contains("s3cret-key"), stored);
        assertFalse(FunctionSpecCodec.toJson(hashed).contains("s3cret-key"));
        assertTrue(hashed.authorizes("s3cret-key"));
        assertFalse(hashed.authorizes("s3cret-keY"));
        assertFalse(hashed.authorizes(stored), "the digest itself is not a key");
        assertFalse(hashed.authorizes(null));
        assertEquals(hashed, hashed.withHashedApiKey(), "hashing is done once");
        assertNotEquals(stored, clear.withHashedApiKey().apiKey().orElseThrow(), "a fresh salt each time");
        FunctionSpec reloaded = FunctionSpecCodec.parseJson(FunctionSpecCodec.toJson(hashed));
        assertTrue(reloaded.authorizes("s3cret-key"), "the stored digest survives a restart");
    }

    @ParameterizedTest
    @CsvSource({"250ms,PT0.25S", "10s,PT10S", "5m,PT5M", "1h,PT1H", "PT1.5S,PT1.5S"})
    void durationsParseAndFormatExactly(String text, String iso) {
        Duration d = Durations.parse(text, "f");
        assertEquals(Duration.parse(iso), d);
        assertEquals(d, Durations.parse(Durations.format(d), "f"));
    }
}
