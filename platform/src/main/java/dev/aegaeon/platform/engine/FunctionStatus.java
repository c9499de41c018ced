package dev.aegaeon.platform.engine;

import java.time.Instant;
import java.util.Optional;

import dev.aegaeon.functions.FunctionState;

/**
 * A function's runtime state as the backend sees it.
 *
 * @param running sequences being decoded or prefilled
 * @param waiting sequences accepted by the backend but not yet started
 * @param kvBlocksUsed KV-cache blocks held by this function's sequences (0 when none run)
 * @param kvBlocksTotal blocks of the pool this function's sequences draw from
 * @param switches times this function's model was brought onto a device (scale-ups), ever
 * @param loadSeconds total seconds spent loading it, ever
 * @param lastSwitch when it was last brought onto a device
 * @param download bytes fetched so far and in all, while the model downloads (state DOWNLOADING)
 * @param lastError why the model cannot serve (state FAILED)
 */
public record FunctionStatus(FunctionState state, int running, int waiting, long kvBlocksUsed, long kvBlocksTotal,
        long switches, double loadSeconds, Optional<Instant> lastSwitch, Optional<Download> download, Optional<String> lastError) {

    /** Progress of a model's download. */
    public record Download(long bytesDone, long bytesTotal) {}

    public FunctionStatus(FunctionState state, int running, int waiting, long kvBlocksUsed, long kvBlocksTotal,
            long switches, double loadSeconds, Optional<Instant> lastSwitch) {
        this(state, running, waiting, kvBlocksUsed, kvBlocksTotal, switches, loadSeconds, lastSwitch, Optional.empty(), Optional.empty());
    }

    public static FunctionStatus downloading(long done, long total) {
        return new FunctionStatus(FunctionState.DOWNLOADING, 0, 0, 0, 0, 0, 0, Optional.empty(),
                Optional.of(new Download(done, total)), Optional.empty());
    }

    public static FunctionStatus failed(String reason) {
        return new FunctionStatus(FunctionState.FAILED, 0, 0, 0, 0, 0, 0, Optional.empty(), Optional.empty(), Optional.of(reason));
    }

    public double kvUsage() {
        return kvBlocksTotal == 0 ? 0.0 : (double) kvBlocksUsed / kvBlocksTotal;
    }
}
