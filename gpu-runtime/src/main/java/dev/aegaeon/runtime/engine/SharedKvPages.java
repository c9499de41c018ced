package dev.aegaeon.runtime.engine;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One device's KV memory as pages of one size in bytes, shared by the engines of every model on
 * that device (the paper's slabs). A model's KV block is one page and holds as many of its tokens as
 * the page's bytes allow ({@link #tokensPerPage}), so a block of any model fits any free page and a
 * request for n pages succeeds exactly when n pages are free: models of different KV shapes draw
 * on one budget and fragmentation cannot grow.
 *
 * <p>The device's other contents (the resident models' weights) are set aside in bytes
 * ({@link #addOtherBytes}): KV may take only the whole pages that the rest of the device's bytes
 * hold, which is exactly what a scheduler counting weights plus whole pages within the device's
 * memory allows. Setting them aside never takes back pages already held.
 *
 * <p>Pages are counted per holder (an engine's block allocator), so an auditor can show that every
 * page came back ({@link #pagesHeldBy}, {@link #usedPages()}). Invariant: {@code usedPages()} is the
 * sum over holders and never exceeds {@code pageCount()}. Thread-safe: the engines of a device run
 * on its compute thread, but a detached hand-off set is freed from the adopting device's thread.
 */
public final class SharedKvPages {
    /** Tokens per page are capped so one page never spans an absurd number of positions of a tiny model. */
    public static final int MAX_TOKENS_PER_PAGE = 4096;

    private final long pageBytes;
    /** The device's bytes for KV and the other contents together; may end in part of a page. */
    private final long deviceBytes;
    private final int pageCount;
    private int used;
    private long otherBytes;
    private final Map<Object, Integer> held = new IdentityHashMap<>();

    public SharedKvPages(long pageBytes, int pageCount) {
        this(pageBytes, Math.multiplyExact(pageBytes, (long) pageCount), pageCount);
    }

    private SharedKvPages(long pageBytes, long deviceBytes, int pageCount) {
        if (pageBytes <= 0) throw new IllegalArgumentException("page size must be positive, got " + pageBytes);
        if (pageCount < 0) throw new IllegalArgumentException("page count must be >= 0, got " + pageCount);
        this.pageBytes = pageBytes;
        this.deviceBytes = deviceBytes;
        this.pageCount = pageCount;
    }

    /**
     * A device of {@code bytes}: as many pages of {@code pageBytes} as fit (at most
     * {@link Integer#MAX_VALUE}), and with other contents set aside, the whole pages in what they
     * leave of {@code bytes} (a remainder short of a page counts there too).
     */
    public static SharedKvPages forBytes(long bytes, long pageBytes) {
        if (pageBytes <= 0) throw new IllegalArgumentException("page size must be positive, got " + pageBytes);
        long b = Math.max(0, bytes);
        return new SharedKvPages(pageBytes, b, (int) Math.min(Integer.MAX_VALUE, b / pageBytes));
    }

    /**
     * Tokens of a model whose KV takes {@code bytesPerToken} (every layer, K and V) that fit a page of
     * {@code pageBytes}, at most {@link #MAX_TOKENS_PER_PAGE}.
     *
     * @throws IllegalArgumentException when one token does not fit a page
     */
    public static int tokensPerPage(long pageBytes, long bytesPerToken) {
        if (bytesPerToken <= 0) throw new IllegalArgumentException("KV bytes per token must be positive, got " + bytesPerToken);
        long t = pageBytes / bytesPerToken;
        if (t < 1) {
            throw new IllegalArgumentException("one token needs " + bytesPerToken + " bytes of KV, more than a page of " + pageBytes);
        }
        return (int) Math.min(t, MAX_TOKENS_PER_PAGE);
    }

    /** {@link #tokensPerPage(long, long)} for this pool's pages. */
    public int tokensPerPage(long bytesPerToken) { return tokensPerPage(pageBytes, bytesPerToken); }

    /** Sets aside {@code delta} more bytes of the device for other contents (resident weights), or returns them (negative). */
    public synchronized void addOtherBytes(long delta) {
        if (otherBytes + delta < 0) throw new IllegalStateException("returning " + -delta + " bytes, " + otherBytes + " are set aside");
        otherBytes += delta;
    }

    /** Bytes set aside for other contents. */
    public synchronized long otherBytes() { return otherBytes; }

    /** Pages KV may hold now: the whole pages in the device's bytes beside the other contents. */
    public synchronized int usablePages() {
        long left = deviceBytes - otherBytes;
        return left <= 0 ? 0 : (int) Math.min(pageCount, left / pageBytes);
    }

    /** Takes {@code count} pages for {@code holder}, or none (false) when fewer are free. */
    public synchronized boolean take(Object holder, int count) {
        if (count < 0) throw new IllegalArgumentException("page count must be >= 0, got " + count);
        if (count > usablePages() - used) return false;
        if (count == 0) return true;
        used += count;
        held.merge(holder, count, Integer::sum);
        return true;
    }

    /** Returns {@code count} of {@code holder}'s pages; returning more than it holds is a bug and throws. */
    public synchronized void give(Object holder, int count) {
        if (count < 0) throw new IllegalArgumentException("page count must be >= 0, got " + count);
        if (count == 0) return;
        int has = held.getOrDefault(holder, 0);
        if (count > has) throw new IllegalStateException("returning " + count + " pages, the holder has " + has);
        used -= count;
        if (has == count) held.remove(holder);
        else held.put(holder, has - count);
    }

    public long pageBytes() { return pageBytes; }

    public int pageCount() { return pageCount; }

    /** Pages a take may have now (0 while other contents have grown into pages still held). */
    public synchronized int freePages() { return Math.max(0, usablePages() - used); }

    public synchronized int usedPages() { return used; }

    /** Pages {@code holder} holds now (0 when none). */
    public synchronized int pagesHeldBy(Object holder) { return held.getOrDefault(holder, 0); }

    /** Holders that hold at least one page now. */
    public synchronized int holders() { return held.size(); }
}
