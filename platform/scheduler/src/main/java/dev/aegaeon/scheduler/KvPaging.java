package dev.aegaeon.scheduler;

/**
 * How a model's KV occupies device memory: in pages of {@code pageBytes} that each hold
 * {@code tokensPerPage} of its tokens (a device's pages are one size in bytes for every model, so a
 * model with a smaller KV shape fits more tokens in one). A sequence of n tokens takes
 * {@code ceil(n / tokensPerPage)} pages; the scheduler, the worker's page pool and the simulator all
 * count KV through {@link #bytesFor}, so they agree on what fits. {@link #perToken} is the exact
 * per-token accounting (one-token pages of exactly the token's bytes).
 */
public record KvPaging(int tokensPerPage, long pageBytes) {
    /** The most tokens one page holds however small a model's KV (the worker's engines use the same bound). */
    public static final int MAX_TOKENS_PER_PAGE = 4096;

    /** The platform's page (aegaeon.pool.kv-page-bytes), which the simulator counts in too unless told otherwise: 1 MiB, about 18 tokens of a Qwen2.5-7B-shaped model's KV (57,344 bytes a token in bf16). */
    public static final long DEFAULT_PAGE_BYTES = 1L << 20;

    public KvPaging {
        if (tokensPerPage <= 0) throw new IllegalArgumentException("tokensPerPage must be positive, got " + tokensPerPage);
        if (pageBytes <= 0) throw new IllegalArgumentException("pageBytes must be positive, got " + pageBytes);
    }

    /** One token per page of exactly {@code kvBytesPerToken}: bytes grow token by token. */
    public static KvPaging perToken(long kvBytesPerToken) { return new KvPaging(1, kvBytesPerToken); }

    /** Pages of {@code pageBytes} holding as many tokens of {@code kvBytesPerToken} as fit, at most {@link #MAX_TOKENS_PER_PAGE}. */
    public static KvPaging pages(long pageBytes, long kvBytesPerToken) {
        return pages(pageBytes, kvBytesPerToken, MAX_TOKENS_PER_PAGE);
    }

    /** Pages of {@code pageBytes} holding as many tokens of {@code kvBytesPerToken} as fit, at most {@code maxTokensPerPage}. */
    public static KvPaging pages(long pageBytes, long kvBytesPerToken, int maxTokensPerPage) {
        if (kvBytesPerToken <= 0) throw new IllegalArgumentException("kvBytesPerToken must be positive, got " + kvBytesPerToken);
        long t = pageBytes / kvBytesPerToken;
        if (t < 1) throw new IllegalArgumentException("one token needs " + kvBytesPerToken + " bytes of KV, more than a page of " + pageBytes);
        return new KvPaging((int) Math.min(t, maxTokensPerPage), pageBytes);
    }

    /** Pages a sequence of {@code tokens} positions occupies. */
    public long pagesFor(long tokens) {
        if (tokens < 0) throw new IllegalArgumentException("tokens must be >= 0, got " + tokens);
        return (tokens + tokensPerPage - 1) / tokensPerPage;
    }

    /** Device bytes a sequence of {@code tokens} positions occupies: whole pages. */
    public long bytesFor(long tokens) { return pagesFor(tokens) * pageBytes; }
}
