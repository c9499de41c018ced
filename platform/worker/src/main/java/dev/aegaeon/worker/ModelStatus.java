package dev.aegaeon.worker;

import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of one pooled model.
 *
 * @param running       live requests that have been prefilled (decoding or swapped out)
 * @param waiting       live requests not yet prefilled
 * @param kvBlocksUsed  KV blocks held on the device by this model's sequences
 * @param kvBlocksTotal the model's KV block pool (0 while it has no engine)
 * @param switches      loads onto the device, ever (scale-ups)
 * @param loadSeconds   measured seconds of those loads, summed
 * @param sloAttainment the paper's metric over this model's requests so far (scheduler's ledger); NaN before any
 * @param requests      requests accepted, ever
 */
public record ModelStatus(String name, ModelState state, int running, int waiting, long kvBlocksUsed, long kvBlocksTotal,
                          long switches, double loadSeconds, Optional<Instant> lastSwitch, double sloAttainment, long requests) {}
