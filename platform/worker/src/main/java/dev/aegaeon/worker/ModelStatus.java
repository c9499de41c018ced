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
 * @param switches      loads that built an engine (weights copied onto the device), ever: scale-ups
 * @param loadSeconds   measured seconds of those loads, summed
 * @param reactivations loads that found the engine still alive after an eviction (requests held KV in it),
 *                      so only flipped the model back to resident: no bytes moved, not counted in switches
 * @param heldAfterEviction the scheduler evicted the model but its engine (weights and KV pool) still
 *                      occupies the device because requests hold KV in it; the scheduler does not count
 *                      these bytes (see the worker README)
 * @param sloAttainment the paper's metric over this model's requests so far (scheduler's ledger); NaN before any
 * @param requests      requests accepted, ever
 */
public record ModelStatus(String name, ModelState state, int running, int waiting, long kvBlocksUsed, long kvBlocksTotal,
                          long switches, double loadSeconds, Optional<Instant> lastSwitch, double sloAttainment, long requests,
                          long reactivations, boolean heldAfterEviction) {}
