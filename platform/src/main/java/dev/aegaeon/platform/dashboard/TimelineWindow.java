package dev.aegaeon.platform.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.aegaeon.worker.timeline.TimelineRecorder;

/**
 * A requested history window, checked against what the recorder keeps: the start time in epoch
 * milliseconds, or an OpenAI-shaped error body for a window out of range.
 */
record TimelineWindow(double fromMillis, Map<String, Object> error) {
    static TimelineWindow of(TimelineRecorder rec, int seconds) {
        long maxSeconds = rec == null ? 300 : rec.historyMillis() / 1000;
        if (seconds < 1 || seconds > maxSeconds) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("message", "window must be between 1 and " + maxSeconds + " seconds, got " + seconds + ".");
            err.put("type", "invalid_request_error");
            err.put("param", "window");
            err.put("code", "invalid_value");
            return new TimelineWindow(0, Map.of("error", err));
        }
        double now = rec == null ? System.currentTimeMillis() : rec.nowMillis();
        return new TimelineWindow(now - seconds * 1000.0, null);
    }
}
