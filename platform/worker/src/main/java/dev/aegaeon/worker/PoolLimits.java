package dev.aegaeon.worker;

import dev.aegaeon.runtime.engine.InvalidParameter;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.sampling.ResponseFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a pool can take, checked before anything is queued or counted: a model must fit one device
 * with one block of KV and keep the registered weights within the host-memory budget; a request
 * must fit its model's vocabulary, sequence limit and one device's memory. Every refusal is an
 * {@link IllegalArgumentException} (an {@link InvalidParameter} when one request parameter is at
 * fault) whose message names the numbers, so callers answer it as the client's mistake.
 */
final class PoolLimits {
    private final PoolOptions options;

    PoolLimits(PoolOptions options) { this.options = options; }

    /** A model about to be registered beside {@code registered}. */
    void checkRegistration(ModelRuntime m, Collection<ModelRuntime> registered) {
        String name = m.function().name();
        long needs = ModelSizes.saturatedSum(m.spec.weightBytes(), 1, m.spec.kvBytes(options.blockSize()));
        if (needs > options.memoryBytes()) {
            throw new IllegalArgumentException("model " + name + " needs " + needs + " bytes of device memory; the pool has "
                    + options.memoryBytes());
        }
        List<ModelRuntime> withNew = new ArrayList<>(registered);
        withNew.add(m);
        long hostNeeds = ModelSizes.hostImageBytes(withNew);
        if (hostNeeds > options.hostMemoryBytes()) {
            throw new IllegalArgumentException("model " + name + " would bring the weights registered in host memory to "
                    + hostNeeds + " bytes; the pool's host-memory budget (aegaeon.pool.host-memory-bytes) is " + options.hostMemoryBytes());
        }
    }

    /** A request for model {@code m}. */
    void checkRequest(ModelRuntime m, int[] promptIds, SamplingParams params) {
        String model = m.function().name();
        if (promptIds.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        int vocab = m.config.vocabSize();
        for (int id : promptIds) {
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        if ((long) promptIds.length + params.maxTokens() > m.maxSequenceTokens) {
            throw new IllegalArgumentException("prompt (" + promptIds.length + " tokens) plus max_tokens (" + params.maxTokens()
                    + ") exceeds the " + m.maxSequenceTokens + " tokens model " + model + " can hold");
        }
        for (int id : params.logitBias().keySet()) {
            if (id >= vocab) {
                throw new InvalidParameter("logit_bias", "logit_bias token id " + id + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (!(params.responseFormat() instanceof ResponseFormat.Text) && m.tokenizer.isEmpty()) {
            throw new InvalidParameter("response_format", "response_format needs a tokenizer, and model " + model + " has none");
        }
        long footprint = ModelSizes.saturatedSum(m.spec.weightBytes(), 1, m.spec.kvBytes((long) promptIds.length + params.maxTokens()));
        if (footprint > options.memoryBytes()) {
            throw new IllegalArgumentException("model " + model + " with " + (promptIds.length + params.maxTokens())
                    + " tokens of KV needs " + footprint + " bytes; the device has " + options.memoryBytes());
        }
    }
}
