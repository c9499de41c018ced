package dev.aegaeon.scheduler;

/**
 * The boundary between the scheduler and whatever runs models: the simulated executor in the
 * tests module, the JCuda GPU worker in the platform. The scheduler hands every decision to
 * {@link #submit}; the executor reports each completion as an {@link Event} to the scheduler's
 * owner, which feeds it back through {@link Scheduler#handle}. The scheduler is single-threaded:
 * a real worker must deliver completions on the scheduler's thread (e.g. through a queue).
 *
 * <p>Contract, per decision (instance = one GPU, or one tensor-parallel group of GPUs):
 * <ul>
 * <li>{@link Decision.RunPrefill}: the model is resident (a {@code LoadDone} was sent for it and
 *     no {@code EvictModel} since). Prefill all prompts as one group on the compute stream, write
 *     their KV into the instance's KV space, emit each request's first token, then send
 *     {@code PrefillDone(instance, groupId, finished)} with the requests that hit end of sequence.</li>
 * <li>{@link Decision.RunDecodeStep}: run exactly one decode step of the listed requests (all of
 *     one model, KV on the instance), emit one token each, send
 *     {@code DecodeStepDone(instance, stepId, finished)}. Never reorder or merge steps.</li>
 * <li>{@link Decision.LoadModel}: copy the weights host-to-device on a copy stream (it may overlap
 *     compute, which is the point of {@code prefetch}); the scheduler has already reserved
 *     {@code bytes} of the instance's memory. Send {@code LoadDone(instance, model)}.</li>
 * <li>{@link Decision.EvictModel}: release the weights at once (the scheduler never evicts a
 *     model that a submitted, unfinished compute decision uses). No event.</li>
 * <li>{@link Decision.SwapOut}: copy the KV of the requests device-to-host; free it on the device
 *     only when the copy is complete; send {@code SwapDone(instance, swapId)}. No compute
 *     decision will use these requests until then.</li>
 * <li>{@link Decision.SwapIn}: copy the KV host-to-device into space the scheduler reserved;
 *     send {@code SwapDone(instance, swapId)}.</li>
 * </ul>
 * Guarantees from the scheduler: at most one compute decision outstanding per instance; bytes
 * reserved (weights + KV + in-flight copies) never exceed the instance's memory; a request's KV
 * is never in two places' reservations at once except while a copy is in flight.
 */
public interface Executor {
    void submit(Decision decision);
}
