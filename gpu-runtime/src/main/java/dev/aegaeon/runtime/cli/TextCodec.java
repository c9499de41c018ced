package dev.aegaeon.runtime.cli;

import dev.aegaeon.runtime.engine.TokenDecoder;

/** What the command line needs of a model's tokenizer. */
interface TextCodec extends TokenDecoder, AutoCloseable {

    int[] encode(String text);

    /** One user message rendered with the model's chat template (generation prompt added), encoded. */
    int[] encodeChat(String userMessage);

    @Override
    void close();
}
