package dev.aegaeon.runtime.tokenizer;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A small but real HF tokenizer for synthetic models: byte-level BPE over GPT-2's 256 byte
 * tokens (ids 0..255), a few English merges (ids 256..), then the ChatML special tokens. Any text
 * round-trips; the ids are stable constants so synthetic configs can name their EOS ids.
 */
public final class SyntheticTokenizer {
    private SyntheticTokenizer() {}

    /** Merge rules in priority order; "Ġ" is the byte-level space. Each part exists before it is merged. */
    static final List<String> MERGES = List.of(
            "Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "o n", "r e", "Ġ s", "a t", "e n", "o r",
            "Ġ w", "e s", "Ġ o", "i s", "Ġ i", "l l", "Ġ h", "o u", "in g", "Ġ c", "Ġ b", "Ġ m");

    public static final int END_OF_TEXT_ID = 256 + 24;
    public static final int IM_START_ID = END_OF_TEXT_ID + 1;
    public static final int IM_END_ID = END_OF_TEXT_ID + 2;
    /** Ids this tokenizer can produce: a model's vocab_size must be at least this. */
    public static final int VOCAB_SIZE = IM_END_ID + 1;

    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";

    /** ChatML, as Qwen's instruct models use it (without tool support). */
    public static final String CHATML_TEMPLATE =
            "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
                    + " + '<|im_end|>' + '\\n'}}{% endfor %}"
                    + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    static {
        if (MERGES.size() != 24) throw new AssertionError("special token ids assume 24 merges");
    }

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir}. */
    public static void write(Path dir) {
        try {
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(), tokenizerJson());
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer files to " + dir, e);
        }
    }

    static ObjectNode tokenizerJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        addSpecial(added, END_OF_TEXT_ID, END_OF_TEXT);
        addSpecial(added, IM_START_ID, IM_START);
        addSpecial(added, IM_END_ID, IM_END);
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(true));
        root.set("post_processor", byteLevel(false));
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        String[] base = ByteLevelAlphabet.baseTokens();
        for (int i = 0; i < base.length; i++) vocab.put(base[i], i);
        for (int i = 0; i < MERGES.size(); i++) vocab.put(MERGES.get(i).replace(" ", ""), 256 + i);
        ArrayNode merges = model.putArray("merges");
        MERGES.forEach(merges::add);
        return root;
    }

    static ObjectNode tokenizerConfig() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("add_bos_token", false);
        root.put("add_prefix_space", false);
        ObjectNode decoder = root.putObject("added_tokens_decoder");
        for (int id = END_OF_TEXT_ID; id <= IM_END_ID; id++) {
            ObjectNode t = decoder.putObject(Integer.toString(id));
            t.put("content", id == END_OF_TEXT_ID ? END_OF_TEXT : id == IM_START_ID ? IM_START : IM_END);
            t.put("lstrip", false);
            t.put("normalized", false);
            t.put("rstrip", false);
            t.put("single_word", false);
            t.put("special", true);
        }
        root.putNull("bos_token");
        root.put("chat_template", CHATML_TEMPLATE);
        root.put("clean_up_tokenization_spaces", false);
        root.put("eos_token", IM_END);
        root.put("errors", "replace");
        root.put("model_max_length", 32768);
        root.put("pad_token", END_OF_TEXT);
        root.put("split_special_tokens", false);
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        return root;
    }

    private static void addSpecial(ArrayNode added, int id, String content) {
        ObjectNode t = added.addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
    }

    private static ObjectNode byteLevel(boolean trimOffsets) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", false);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", true);
        return n;
    }
}
