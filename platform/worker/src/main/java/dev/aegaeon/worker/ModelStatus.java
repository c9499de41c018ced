package dev.aegaeon.worker;

import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of one pooled model.
 *
 * @param running       live requests that have been prefilled (decoding or swapped out)
 * @param waiting       live requests not yet prefilled
 * @param kvBlocksUsed  KV blocks held on the device by this model's sequences
 * @param kvBlocksTotal the model's KV block pool (0 while it has no engine): a fixed pool, or on a device's
 *                      shared pages the blocks it may address (every page of the device, or its cap's worth)
 * @param switches      loads that copied the weights onto the device, ever (scale-ups and reloads after eviction)
 * @param loadSeconds   measured seconds of those loads, summed
 * @param reactivations loads that found the weights still resident: no bytes moved, not counted in switches
 *                      and not fed to the cost model
 * @param kvPoolHeldAfterEviction the model is evicted (weights released) but its engine's fixed KV
 *                      pool stays allocated because requests hold KV in it (see the worker README)
 * @param sloAttainment the paper's metric over this model's requests so far (scheduler's ledger); NaN before any
 * @param requests      requests accepted, ever
 */
public record ModelStatus(String name, ModelState state, int running, int waiting, long kvBlocksUsed, long kvBlocksTotal,
                          long switches, double loadSeconds, Optional<Instant> lastSwitch, double sloAttainment, long requests,
                          long reactivations, boolean kvPoolHeldAfterEviction) {}
