package dev.aegaeon.worker;

/**
 * Where a model function stands: COLD (weights only on disk, or not yet generated), WARM (in the
 * host model cache), HOT (resident on the device), ACTIVE (HOT with live requests). Requests move
 * a model up; idle time moves it down (see {@link ModelFunction#idleToWarm()}).
 */
public enum ModelState { COLD, WARM, HOT, ACTIVE }
