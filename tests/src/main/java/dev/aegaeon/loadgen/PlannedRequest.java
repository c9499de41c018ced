package dev.aegaeon.loadgen;

/** One request of the trace: when to send it (seconds after the window opens), to which function, and its lengths. */
public record PlannedRequest(int id, String function, double arrivalSeconds, int promptTokens, int outputTokens) {}
