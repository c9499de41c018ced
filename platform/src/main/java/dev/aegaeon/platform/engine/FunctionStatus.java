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
 */
public record FunctionStatus(FunctionState state, int running, int waiting, long kvBlocksUsed, long kvBlocksTotal,
        long switches, double loadSeconds, Optional<Instant> lastSwitch) {

    public double kvUsage() {
        return kvBlocksTotal == 0 ? 0.0 : (double) kvBlocksUsed / kvBlocksTotal;
    }
}
