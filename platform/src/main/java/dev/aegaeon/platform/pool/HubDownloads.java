package dev.aegaeon.platform.pool;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import org.jboss.logging.Logger;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.ModelSource;
import dev.aegaeon.runtime.hub.DownloadProgress;
import dev.aegaeon.runtime.hub.HubDownloader;
import dev.aegaeon.runtime.hub.HubException;
import dev.aegaeon.runtime.hub.ProgressLog;
import dev.aegaeon.worker.ModelPool;

/**
 * The downloads of functions whose model comes from a hub, one per function, each on its own
 * virtual thread: never on a caller's thread (registration returns at once). When one finishes,
 * {@code ready} gets the spec and the snapshot directory; when it fails, {@code failed} gets the
 * spec and the reason. Starting a function's download again, or {@link #cancel}, interrupts the
 * one in flight, whose outcome is then dropped. Each download is also reported to the pool's
 * transfers ({@link ModelPool#trackDownload}, percent and rate) from the moment its size is known
 * until it ends.
 */
final class HubDownloads implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HubDownloads.class);

    /** Where a download's transfer is shown: {@link ModelPool#trackDownload}. */
    interface Transfers {
        ModelPool.Download start(String function, long totalBytes, long presentBytes);
    }

    /** A download in flight: its progress, read by status calls, and passed on to the pool's transfers. */
    static final class Progress implements DownloadProgress {
        final AtomicLong done = new AtomicLong();
        final AtomicLong total = new AtomicLong();
        volatile Thread thread;
        private final String function;
        private final Transfers transfers;
        private ModelPool.Download shown; // touched only on the downloading thread
        private long shownDone;

        Progress(String function, Transfers transfers) {
            this.function = function;
            this.transfers = transfers;
        }

        @Override
        public void update(long doneBytes, long totalBytes) {
            done.set(doneBytes);
            total.set(totalBytes);
            if (shown == null) {
                if (totalBytes > 0) shown = transfers.start(function, totalBytes, doneBytes);
            } else {
                shown.progress().advance(doneBytes - shownDone);
            }
            shownDone = doneBytes;
        }

        void ended() {
            if (shown != null) shown.close();
        }
    }

    private final HubDownloader downloader;
    private final Transfers transfers;
    private final Map<String, Progress> inFlight = new ConcurrentHashMap<>();

    HubDownloads(HubDownloader downloader, Transfers transfers) {
        this.downloader = downloader;
        this.transfers = transfers;
    }

    void start(FunctionSpec spec, ModelSource.Hub hub, BiConsumer<FunctionSpec, Path> ready, BiConsumer<FunctionSpec, String> failed) {
        cancel(spec.name());
        Progress p = new Progress(spec.name(), transfers);
        inFlight.put(spec.name(), p);
        String what = hub.repo() + "@" + hub.revision();
        p.thread = Thread.ofVirtual().name("hub-download-" + spec.name()).unstarted(() -> {
            try {
                LOG.infof("function %s: fetching %s from %s", spec.name(), what, downloader.settings().endpoint());
                Path dir;
                try {
                    dir = downloader.download(hub.repo(), hub.revision(), ProgressLog.every5s(what, p));
                } finally {
                    p.ended(); // the transfer leaves the pool's list before the function leaves DOWNLOADING
                }
                // The entry stays until the outcome is applied, so the function never looks unknown in between.
                if (inFlight.get(spec.name()) == p) {
                    LOG.infof("function %s: %s is in the hub cache (%d bytes)", spec.name(), what, p.total.get());
                    ready.accept(spec, dir);
                    inFlight.remove(spec.name(), p);
                }
            } catch (HubException e) {
                if (e.kind() == HubException.Kind.CANCELLED) return;
                if (inFlight.get(spec.name()) == p) {
                    LOG.warnf("function %s: %s", spec.name(), e.getMessage());
                    failed.accept(spec, e.getMessage());
                    inFlight.remove(spec.name(), p);
                }
            } catch (RuntimeException e) {
                if (inFlight.get(spec.name()) == p) {
                    LOG.warnf(e, "function %s: the download of %s failed", spec.name(), what);
                    failed.accept(spec, "the download of " + what + " failed: " + e.getClass().getSimpleName());
                    inFlight.remove(spec.name(), p);
                }
            }
        });
        p.thread.start();
    }

    Optional<Progress> progress(String function) {
        return Optional.ofNullable(inFlight.get(function));
    }

    void cancel(String function) {
        Progress p = inFlight.remove(function);
        if (p != null && p.thread != null) p.thread.interrupt();
    }

    @Override
    public void close() {
        for (String f : Map.copyOf(inFlight).keySet()) cancel(f);
    }

}
