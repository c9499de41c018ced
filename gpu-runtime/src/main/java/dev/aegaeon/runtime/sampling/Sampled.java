package dev.aegaeon.runtime.sampling;

/** One row's pick: the token and, when the request asked, its logprobs (else null). */
public record Sampled(int tokenId, TokenLogprobs logprobs) {}
