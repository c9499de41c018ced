package dev.aegaeon.runtime.engine;

import java.util.List;

import dev.aegaeon.runtime.sampling.TokenLogprobs;

/** What one prefill or decode step did. */
public sealed interface StepResult {

    /** One new token per sequence of the batch, in batch order. */
    record Stepped(List<TokenEvent> tokens) implements StepResult {}

    /** Not enough free KV blocks: nothing ran and nothing was allocated. */
    record NoRoom(int blocksNeeded, int blocksFree) implements StepResult {}

    /**
     * A token produced for {@code sequence}; {@code finish} is non-null when this token ended it (its
     * KV blocks are already freed then); {@code logprobs} is non-null when the request asked for them.
     */
    record TokenEvent(Sequence sequence, int tokenId, FinishReason finish, TokenLogprobs logprobs) {}
}
