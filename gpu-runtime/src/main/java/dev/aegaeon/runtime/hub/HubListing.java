package dev.aegaeon.runtime.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A repository revision as the hub's model API lists it
 * ({@code GET /api/models/{repo}/revision/{revision}?blobs=true}): the commit it resolves to and its
 * files, each with the size and object id the listing gives (the LFS sha256 for large files, the git
 * blob id for small ones) where it gives them.
 */
record HubListing(String commit, List<Entry> files) {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    /** @param etag the LFS sha256 or git blob id, when listed; {@code size} is -1 when not listed */
    record Entry(String name, long size, Optional<String> etag) {}

    static HubListing parse(JsonNode root, String repo) throws HubException {
        String sha = root.path("sha").asText("");
        if (!COMMIT.matcher(sha).matches())
            throw new HubException(HubException.Kind.PROTOCOL, "the hub's listing of " + repo + " has no commit id ('sha')");
        JsonNode siblings = root.path("siblings");
        if (!siblings.isArray())
            throw new HubException(HubException.Kind.PROTOCOL, "the hub's listing of " + repo + " has no file list ('siblings')");
        List<Entry> files = new ArrayList<>();
        for (JsonNode s : siblings) {
            String name = s.path("rfilename").asText("");
            if (name.isEmpty()) continue;
            JsonNode lfs = s.path("lfs");
            if (lfs.isObject() && lfs.hasNonNull("sha256")) {
                files.add(new Entry(name, lfs.path("size").asLong(s.path("size").asLong(-1)), Optional.of(lfs.get("sha256").asText())));
            } else {
                Optional<String> blob = s.hasNonNull("blobId") ? Optional.of(s.get("blobId").asText()) : Optional.empty();
                files.add(new Entry(name, s.path("size").asLong(-1), blob));
            }
        }
        return new HubListing(sha, List.copyOf(files));
    }
}
