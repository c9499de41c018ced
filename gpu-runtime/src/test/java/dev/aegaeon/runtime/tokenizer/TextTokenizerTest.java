package dev.aegaeon.runtime.tokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The synthetic byte-level BPE tokenizer (a real tokenizer.json) through DJL, offline. */
class TextTokenizerTest {

    @TempDir static Path dir;
    static TextTokenizer tok;

    @BeforeAll
    static void load() {
        SyntheticTokenizer.write(dir);
        tok = TextTokenizer.load(dir);
    }

    @AfterAll
    static void close() { tok.close(); }

    @Test
    void roundTripsAnyText() {
        for (String text : List.of("Hello, world!", " the cat is on the mat\n", "Grüße 👋 日本語 \t\u0000x", "")) {
            int[] ids = tok.encode(text, false);
            assertEquals(text, tok.decode(ids, false), text);
            for (int id : ids) assertTrue(id >= 0 && id < SyntheticTokenizer.VOCAB_SIZE);
        }
    }

    @Test
    void appliesTheMerges() {
        // "Ġt he" is merge #2, so " the" is one token with id 256 + 2; "the" (no space) is "t" + "he".
        assertArrayEquals(new int[] {258}, tok.encode(" the", false));
        assertEquals(2, tok.encode("the", false).length);
        assertEquals(1, tok.encode("a", false).length);
    }

    @Test
    void specialTokensAreSingleIdsAndCanBeSkipped() {
        int[] ids = tok.encode("<|im_start|>user\nhi<|im_end|>", false);
        assertEquals(SyntheticTokenizer.IM_START_ID, ids[0]);
        assertEquals(SyntheticTokenizer.IM_END_ID, ids[ids.length - 1]);
        assertEquals("user\nhi", tok.decode(ids, true));
        assertEquals("<|im_start|>user\nhi<|im_end|>", tok.decode(ids, false));
        assertEquals(SyntheticTokenizer.END_OF_TEXT_ID, tok.tokenId("<|endoftext|>").orElseThrow());
        assertTrue(tok.tokenId("hello world").isEmpty());
    }

    @Test
    void longPromptIsNotTruncated() {
        StringBuilder sb = new StringBuilder();
        Random r = new Random(1);
        while (sb.length() < 6000) sb.append((char) ('a' + r.nextInt(26))).append(r.nextInt(4) == 0 ? " " : "");
        String text = sb.toString();
        int[] ids = tok.encode(text, false);
        assertTrue(ids.length > 2000, "got " + ids.length + " tokens");
        assertEquals(text, tok.decode(ids, false));
    }

    @Test
    void incrementalDecodingNeverBreaksACharacter() {
        String text = "Grüße 👋 — 日本語 the end";
        int[] ids = tok.encode(text, false);
        IncrementalDecoder dec = tok.incrementalDecoder(false);
        StringBuilder out = new StringBuilder();
        int heldBack = 0;
        for (int id : ids) {
            String delta = dec.next(id);
            assertFalse(delta.contains("\uFFFD"), "delta " + delta);
            if (delta.isEmpty()) heldBack++;
            out.append(delta);
        }
        out.append(dec.finish());
        assertEquals(text, out.toString());
        assertTrue(heldBack >= 3, "the 4-byte emoji spans 4 byte tokens, 3 of which complete nothing");
        assertArrayEquals(ids, dec.ids());
    }

    @Test
    void incrementalDecodingSkipsSpecialTokensAndFlushesIncompleteTail() {
        int[] ids = tok.encode("<|im_start|>hi 👋", false);
        IncrementalDecoder dec = tok.incrementalDecoder(true);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < ids.length - 1; i++) out.append(dec.next(ids[i])); // stop inside the emoji
        assertEquals("hi ", out.toString());
        assertEquals("\uFFFD", dec.finish(), "an unfinished character is flushed as the replacement char, like HF");
    }

    @Test
    void addSpecialTokensAppliesThePostProcessor(@TempDir Path withBos) throws Exception {
        // Like Llama 3's tokenizer.json: a TemplateProcessing post-processor that prepends a BOS.
        var json = SyntheticTokenizer.tokenizerJson();
        json.set("post_processor", new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"type": "TemplateProcessing",
                 "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [%d], "tokens": ["<|endoftext|>"]}}}
                """.formatted(SyntheticTokenizer.END_OF_TEXT_ID)));
        Files.writeString(withBos.resolve("tokenizer.json"), json.toString());
        try (TextTokenizer t = TextTokenizer.load(withBos)) {
            int[] with = t.encode("hi", true);
            int[] without = t.encode("hi", false);
            assertEquals(SyntheticTokenizer.END_OF_TEXT_ID, with[0]);
            assertArrayEquals(without, Arrays.copyOfRange(with, 1, with.length));
        }
    }

    /**
     * A SentencePiece-style tokenizer.json like Mistral's and Llama 2's (Metaspace "▁", byte
     * fallback, a decoder that strips the leading space): decoding one id at a time would lose
     * the spaces between words; streaming must not.
     */
    @Test
    void incrementalDecodingKeepsSentencePieceSpaces(@TempDir Path spDir) throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var vocab = mapper.createObjectNode();
        vocab.put("<unk>", 0).put("<s>", 1).put("</s>", 2);
        for (int b = 0; b < 256; b++) vocab.put(String.format("<0x%02X>", b), 3 + b);
        int next = 259;
        for (String t : List.of("\u2581", "h", "i", "t", "e", "r", "\u2581h", "\u2581hi", "\u2581t", "he", "\u2581the")) vocab.put(t, next++);
        var merges = mapper.createArrayNode().add("\u2581 h").add("\u2581h i").add("\u2581 t").add("h e").add("\u2581t he");
        var root = mapper.createObjectNode();
        root.put("version", "1.0").putNull("truncation");
        root.putNull("padding");
        var added = root.putArray("added_tokens");
        String[] specials = {"<unk>", "<s>", "</s>"};
        for (int i = 0; i < 3; i++) {
            added.addObject().put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.set("normalizer", mapper.readTree("""
                {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                  {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}"""));
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.set("decoder", mapper.readTree("""
                {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                  {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}"""));
        var model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.put("unk_token", "<unk>").putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true).put("byte_fallback", true).put("ignore_merges", false);
        model.set("vocab", vocab);
        model.set("merges", merges);
        Files.writeString(spDir.resolve("tokenizer.json"), root.toString());
        try (TextTokenizer sp = TextTokenizer.load(spDir)) {
            String text = "hi there \u00e9t\u00e9 hi";
            int[] ids = sp.encode(text, false);
            assertEquals(text, sp.decode(ids, false));
            StringBuilder oneByOne = new StringBuilder();
            for (int id : ids) oneByOne.append(sp.decode(new int[] {id}, false));
            assertNotEquals(text, oneByOne.toString(), "naive per-id decoding drops the spaces");
            IncrementalDecoder dec = sp.incrementalDecoder(false);
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                String delta = dec.next(id);
                assertFalse(delta.contains("\uFFFD"), delta);
                streamed.append(delta);
            }
            streamed.append(dec.finish());
            assertEquals(text, streamed.toString());
        }
    }

    @Test
    void errorsAreClear(@TempDir Path empty) throws Exception {
        var missing = assertThrows(TokenizerException.class, () -> TextTokenizer.load(empty));
        assertTrue(missing.getMessage().contains("tokenizer.json"), missing.getMessage());
        Files.writeString(empty.resolve("tokenizer.json"), "{ not json");
        var bad = assertThrows(TokenizerException.class, () -> TextTokenizer.load(empty));
        assertTrue(bad.getMessage().contains(empty.resolve("tokenizer.json").toString()), bad.getMessage());
        var neg = assertThrows(TokenizerException.class, () -> tok.decode(new int[] {5, -1}, false));
        assertTrue(neg.getMessage().contains("-1"));
    }

    @Test
    void syntheticChatTemplateRendersChatMlThatEncodesToSpecialIds() {
        ChatTemplate t = ChatTemplate.load(dir).orElseThrow();
        String prompt = t.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")), true);
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", prompt);
        int[] ids = tok.encode(prompt, false);
        assertEquals(3, Arrays.stream(ids).filter(i -> i == SyntheticTokenizer.IM_START_ID).count());
        assertEquals("<|im_end|>", t.eosToken());
    }
}
