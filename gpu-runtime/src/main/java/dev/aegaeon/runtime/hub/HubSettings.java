package dev.aegaeon.runtime.hub;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where models come from and where they are kept, read the way {@code huggingface_hub} reads them:
 * {@code HF_ENDPOINT} (default {@value #DEFAULT_ENDPOINT}), {@code HF_TOKEN} (sent as a Bearer token,
 * for gated and private repositories), the cache {@code HF_HUB_CACHE}, else
 * {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}, and {@code HF_HUB_OFFLINE}
 * (1/true/yes/on: the cache only, never the network).
 *
 * @param token   never logged and never part of an error message
 * @param offline models come from the cache alone; one that is not there is an error
 */
public record HubSettings(URI endpoint, Optional<String> token, Path cacheDir, boolean offline) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public HubSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(cacheDir, "cacheDir");
        token = token == null ? Optional.empty() : token.filter(t -> !t.isBlank());
        String e = endpoint.toString();
        if (e.endsWith("/")) endpoint = URI.create(e.substring(0, e.length() - 1));
    }

    public HubSettings(URI endpoint, Optional<String> token, Path cacheDir) {
        this(endpoint, token, cacheDir, false);
    }

    /** The settings the process environment gives (see the class comment). */
    public static HubSettings fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static HubSettings from(Map<String, String> env, Path home) {
        URI endpoint = URI.create(nonBlank(env.get("HF_ENDPOINT")).orElse(DEFAULT_ENDPOINT));
        Path cache = nonBlank(env.get("HF_HUB_CACHE")).map(Path::of)
                .or(() -> nonBlank(env.get("HF_HOME")).map(h -> Path.of(h).resolve("hub")))
                .orElse(home.resolve(".cache/huggingface/hub"));
        boolean offline = nonBlank(env.get("HF_HUB_OFFLINE")).map(v -> java.util.Set.of("1", "true", "yes", "on")
                .contains(v.toLowerCase(java.util.Locale.ROOT))).orElse(false);
        return new HubSettings(endpoint, nonBlank(env.get("HF_TOKEN")), cache, offline);
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", token=" + (token.isPresent() ? "<set>" : "<none>") + ", cacheDir=" + cacheDir
                + ", offline=" + offline + "]";
    }
}
