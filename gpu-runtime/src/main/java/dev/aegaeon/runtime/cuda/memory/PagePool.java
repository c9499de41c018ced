package dev.aegaeon.runtime.cuda.memory;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Optional;

/**
 * The KV block pool: the KV region of the arena cut into equal-size pages. Every model uses the
 * same page size and only the number of tokens per page differs between models, so pages of any
 * model fit any hole and fragmentation cannot grow: a request for n pages succeeds exactly when n
 * pages are free. Plain Java (indices only), tested without a GPU. Not thread-safe.
 */
public final class PagePool {
    private final long pageBytes;
    private final int pageCount;
    private final BitSet inUse;
    private final ArrayDeque<Integer> freeList = new ArrayDeque<>();

    public PagePool(long pageBytes, int pageCount) {
        if (pageBytes <= 0) throw new IllegalArgumentException("page size must be positive, got " + pageBytes);
        if (pageCount < 0) throw new IllegalArgumentException("page count must be >= 0, got " + pageCount);
        this.pageBytes = pageBytes;
        this.pageCount = pageCount;
        this.inUse = new BitSet(pageCount);
        for (int i = 0; i < pageCount; i++) freeList.add(i);
    }

    /** {@code count} distinct free pages, or empty ("no room") leaving the pool unchanged. */
    public Optional<int[]> allocate(int count) {
        if (count < 0) throw new IllegalArgumentException("page count must be >= 0, got " + count);
        if (count > freeList.size()) return Optional.empty();
        int[] pages = new int[count];
        for (int i = 0; i < count; i++) {
            int p = freeList.poll();
            inUse.set(p);
            pages[i] = p;
        }
        return Optional.of(pages);
    }

    public void free(int[] pages) {
        for (int p : pages) {
            if (p < 0 || p >= pageCount || !inUse.get(p)) {
                throw new IllegalArgumentException("page " + p + " is not allocated");
            }
        }
        for (int p : pages) {
            inUse.clear(p);
            freeList.addFirst(p); // reuse warm pages first
        }
    }

    public long pageBytes() { return pageBytes; }

    public int pageCount() { return pageCount; }

    public int freePages() { return freeList.size(); }

    public int usedPages() { return pageCount - freeList.size(); }

    /** Tokens of a model with {@code bytesPerToken} (all layers, K and V) that fit one page. */
    public int tokensPerPage(long bytesPerToken) {
        return dev.aegaeon.runtime.engine.SharedKvPages.tokensPerPage(pageBytes, bytesPerToken);
    }
}
