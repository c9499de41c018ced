package dev.aegaeon.runtime.model;

import dev.aegaeon.runtime.tokenizer.ChatMessage;
import dev.aegaeon.runtime.tokenizer.SyntheticTokenizer;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import dev.aegaeon.runtime.weights.WeightFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HfModelTest {

    @TempDir Path dir;

    @Test
    void opensAWrittenSyntheticModelWithTokenizerAndTemplate() {
        ModelConfig c = ModelShapes.tiny(ModelFamily.QWEN3);
        try (var w = new SyntheticWeights(c, 4)) {
            HfModelWriter.write(dir, c, w);
        }
        try (HfModel m = HfModel.open(dir)) {
            assertEquals(c, m.config());
            assertTrue(m.config().eosTokenIds().contains(SyntheticTokenizer.IM_END_ID));
            String prompt = m.chatTemplate().orElseThrow().render(List.of(ChatMessage.user("hi")), true);
            int[] ids = m.tokenizer().orElseThrow().encode(prompt, false);
            assertEquals(SyntheticTokenizer.IM_START_ID, ids[0]);
            assertEquals(prompt, m.tokenizer().get().decode(ids, false));
        }
    }

    @Test
    void weightsThatDoNotFitTheConfigAreRefusedWithOneClearMessage() throws Exception {
        ModelConfig c = ModelShapes.tiny(ModelFamily.LLAMA);
        try (var w = new SyntheticWeights(c, 4)) {
            HfModelWriter.write(dir, c, w, new HfModelWriter.Options(Long.MAX_VALUE, false));
        }
        String cfg = Files.readString(dir.resolve("config.json")).replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3");
        Files.writeString(dir.resolve("config.json"), cfg);
        ModelLoadException e = assertThrows(WeightFormatException.class, () -> HfModel.open(dir));
        assertTrue(e.getMessage().contains("missing tensor model.layers.2."), e.getMessage());
    }

    @Test
    void missingDirectoryIsAModelLoadException() {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> HfModel.open(dir.resolve("none")));
        assertTrue(e.getMessage().contains("none"), e.getMessage());
    }
}
