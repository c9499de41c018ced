package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import org.junit.jupiter.api.Test;

/**
 * Engines of two models with different KV shapes drawing their blocks from one device's pages:
 * each block is one page holding that model's tokens-per-page, KV grows a page at a time as tokens
 * are produced, a full pool answers NoRoom, and swapping a sequence out and back in frees and
 * retakes its pages with the same greedy tokens as an unshared run.
 */
class SharedPoolEngineTest {
    private static final ModelConfig LLAMA = TestModels.tiny(ModelFamily.LLAMA);
    private static final ModelConfig MQA = TestModels.llama3Mqa();
    private static final long PAGE_BYTES = 2048;

    private static long bytesPerToken(ModelConfig c) { return 2L * Float.BYTES * c.numLayers() * c.numKvHeads() * c.headDim(); }

    private static InferenceEngine engine(ModelConfig config, SharedKvPages pages) {
        int tokensPerPage = pages.tokensPerPage(bytesPerToken(config));
        // The engine may address the whole pool; the CPU cache grows only as blocks are written.
        return new InferenceEngine(config, new SyntheticWeights(config, 7, DType.BF16), new CpuBackend(2),
                new EngineOptions(tokensPerPage, pages.pageCount(), null, pages));
    }

    private static int[] alone(ModelConfig config, int[] prompt, int maxTokens) {
        try (InferenceEngine e = TestModels.engine(config, DType.BF16, 4, 256)) {
            return e.generate(prompt, SamplingParams.greedy(maxTokens)).ids();
        }
    }

    @Test
    void twoShapesShareOnePoolAndGrowAPageAtATime() {
        SharedKvPages pages = new SharedKvPages(PAGE_BYTES, 40);
        try (InferenceEngine a = engine(LLAMA, pages); InferenceEngine b = engine(MQA, pages)) {
            assertNotEquals(a.blockSize(), b.blockSize(), "one page holds a different number of tokens of each shape");
            int[] pa = TestModels.prompt(9, LLAMA.vocabSize(), 1), pb = TestModels.prompt(11, MQA.vocabSize(), 2);
            Sequence sa = a.newSequence(pa, SamplingParams.greedy(24));
            Sequence sb = b.newSequence(pb, SamplingParams.greedy(24));
            a.prefill(Batch.of(sa));
            b.prefill(Batch.of(sb));
            int prefillPages = ceil(9, a.blockSize()) + ceil(11, b.blockSize());
            assertEquals(prefillPages, pages.usedPages(), "prefill takes the prompt's pages only, not prompt + max_tokens");
            while (!sa.isFinished() || !sb.isFinished()) {
                if (!sa.isFinished()) a.decode(Batch.of(sa));
                if (!sb.isFinished()) b.decode(Batch.of(sb));
                if (!sa.isFinished() && !sb.isFinished()) {
                    assertEquals(ceil(sa.cachedTokens(), a.blockSize()) + ceil(sb.cachedTokens(), b.blockSize()), pages.usedPages(),
                            "a page is taken when a sequence crosses a page boundary");
                }
            }
            assertArrayEquals(alone(LLAMA, pa, 24), sa.generatedIds());
            assertArrayEquals(alone(MQA, pb, 24), sb.generatedIds());
            assertEquals(0, pages.usedPages(), "finished sequences return every page");
            assertEquals(0, a.usedBlocks() + b.usedBlocks());
        }
    }

    @Test
    void aFullPoolAnswersNoRoomAndASwappedSequenceResumesWithTheSameTokens() {
        int[] pa = TestModels.prompt(10, LLAMA.vocabSize(), 3), pb = TestModels.prompt(10, MQA.vocabSize(), 4);
        SharedKvPages probe = new SharedKvPages(PAGE_BYTES, 1);
        int tpA = probe.tokensPerPage(bytesPerToken(LLAMA)), tpB = probe.tokensPerPage(bytesPerToken(MQA));
        // Room for both prompts and a page more: both sequences cannot grow far together.
        SharedKvPages pages = new SharedKvPages(PAGE_BYTES, ceil(10, tpA) + ceil(10, tpB) + 1);
        try (InferenceEngine a = engine(LLAMA, pages); InferenceEngine b = engine(MQA, pages)) {
            int maxA = pages.pageCount() * tpA - pa.length + 1; // a's last step fills the whole pool
            Sequence sa = a.newSequence(pa, SamplingParams.greedy(maxA));
            Sequence sb = b.newSequence(pb, SamplingParams.greedy(3 * tpB));
            a.prefill(Batch.of(sa));
            b.prefill(Batch.of(sb));
            KvSwap parked = null;
            boolean sawNoRoom = false;
            while (!sa.isFinished()) {
                StepResult r = a.decode(Batch.of(sa));
                if (r instanceof StepResult.NoRoom) {
                    assertTrue(parked == null, "one swap-out makes room for the rest");
                    sawNoRoom = true;
                    assertEquals(0, pages.freePages());
                    parked = b.swapOut(sb); // the other model's sequence makes room
                    assertTrue(pages.freePages() > 0);
                    assertInstanceOf(StepResult.Stepped.class, a.decode(Batch.of(sa)));
                }
            }
            assertTrue(sawNoRoom, "the pool ran out");
            assertTrue(b.swapIn(sb, parked).granted(), "a's pages came back when it finished");
            while (!sb.isFinished()) assertInstanceOf(StepResult.Stepped.class, b.decode(Batch.of(sb)));
            assertArrayEquals(alone(LLAMA, pa, maxA), sa.generatedIds());
            assertArrayEquals(alone(MQA, pb, 3 * tpB), sb.generatedIds());
            assertEquals(0, pages.usedPages());
        }
    }

    private static int ceil(int tokens, int perPage) { return (tokens + perPage - 1) / perPage; }
}
