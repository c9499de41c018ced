package dev.aegaeon.loadgen;

/**
 * What happened to one sent request. Times are seconds after the measurement window opened;
 * {@code tokenTimes[k]} is when the chunk with the k-th token arrived. {@code httpStatus} is 0 when
 * no response came (connection error, cancelled before headers); {@code error} is null on success.
 */
public record RequestOutcome(PlannedRequest planned, double sentAt, int httpStatus, double[] tokenTimes, String finishReason,
                             int usagePromptTokens, int usageCompletionTokens, String error, boolean cancelled) {

    public boolean ok() {
        return error == null && !cancelled && httpStatus == 200 && finishReason != null;
    }

    public int tokens() {
        return tokenTimes.length;
    }
}
