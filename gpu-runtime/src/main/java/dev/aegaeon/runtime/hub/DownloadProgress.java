package dev.aegaeon.runtime.hub;

/**
 * Receives a download's progress. Called from the downloading thread, often (every chunk); an
 * implementation must be cheap and thread-safe for readers on other threads.
 */
public interface DownloadProgress {
    /**
     * @param doneBytes bytes of the model's files present so far (reused ones included)
     * @param totalBytes bytes of all the files the model needs
     */
    void update(long doneBytes, long totalBytes);

    DownloadProgress NONE = (done, total) -> {};
}
