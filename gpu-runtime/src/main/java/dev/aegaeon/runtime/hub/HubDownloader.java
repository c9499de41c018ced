package dev.aegaeon.runtime.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aegaeon.runtime.hub.HubException.Kind;

/**
 * Fetches the files a model needs ({@link ModelFiles}) of one repository revision from a Hugging
 * Face Hub-compatible endpoint into the hub cache ({@link HubCache}), and returns the snapshot
 * directory, a plain HF model directory.
 *
 * <p>Guarantees: a file already in the cache (same blob) is not fetched again; an interrupted
 * transfer resumes where it stopped (HTTP Range) on the next attempt, here or in a later call;
 * every file is checked against the hub's object id (sha256 for LFS files, the git blob id for
 * small ones) before it gets its final name, and a file that fails is deleted; the snapshot
 * directory is returned only when every needed file is in it. The token goes only to the
 * endpoint's own host, never to a host a redirect names (a CDN or object store).
 */
public final class HubDownloader {
    private static final System.Logger LOG = System.getLogger(HubDownloader.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 3;
    private static final int MAX_REDIRECTS = 5;

    private final HubSettings settings;
    private final HttpClient http;

    public HubDownloader(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(15)).build();
    }

    public HubSettings settings() {
        return settings;
    }

    /** A file to fetch: its name, size and the object id its bytes must match. */
    private record Planned(String name, long size, String etag) {}

    /**
     * Downloads (or finds in the cache) {@code repo} at {@code revision}.
     *
     * @return the snapshot directory holding every needed file
     * @throws HubException naming the repository, the file and the cause; on interruption, {@link Kind#CANCELLED}
     */
    public Path download(String repo, String revision, DownloadProgress progress) throws HubException {
        HubCache cache = new HubCache(settings.cacheDir(), repo);
        Optional<Path> cached = cache.completeSnapshot(revision);
        // a commit's files never change, so a complete snapshot of one needs no listing
        if (cached.isPresent() && (settings.offline() || ObjectIds.isCommit(revision))) return cached.get();
        if (settings.offline()) {
            throw new HubException(Kind.NOT_FOUND, repo + " at " + revision + " is not complete in the hub cache and HF_HUB_OFFLINE is set");
        }
        HubListing listing;
        try {
            listing = list(repo, revision);
        } catch (HubException e) {
            if (e.kind() != Kind.TRANSFER || cached.isEmpty()) throw e;
            LOG.log(System.Logger.Level.WARNING, "cannot reach the hub for " + repo + " (" + e.getMessage()
                    + "); using the cached snapshot of " + revision);
            return cached.get();
        }
        List<Planned> plan = new ArrayList<>();
        boolean config = false, weights = false;
        for (HubListing.Entry e : listing.files()) {
            if (!ModelFiles.needed(e.name())) continue;
            config |= e.name().equals("config.json");
            weights |= e.name().endsWith(".safetensors");
            plan.add(e.etag().isPresent() && e.size() >= 0 ? new Planned(e.name(), e.size(), normalise(e.etag().get()))
                    : head(repo, listing.commit(), e.name()));
        }
        if (!config) throw new HubException(Kind.NOT_FOUND, repo + " at " + revision + " has no config.json: it is not a transformers model");
        if (!weights)
            throw new HubException(Kind.NOT_FOUND, repo + " at " + revision + " has no .safetensors weights (only safetensors are loaded, never pickles)");
        long total = plan.stream().mapToLong(Planned::size).sum();
        long done = 0;
        try {
            List<Planned> missing = new ArrayList<>();
            for (Planned p : plan) {
                if (cache.hasSnapshotFile(listing.commit(), p.name(), p.size())) {
                    done += p.size();
                } else if (Files.isRegularFile(cache.blob(p.etag())) && Files.size(cache.blob(p.etag())) == p.size()) {
                    cache.link(listing.commit(), p.name(), p.etag());
                    done += p.size();
                } else {
                    missing.add(p);
                }
            }
            progress.update(done, total);
            for (Planned p : missing) {
                fetch(repo, listing.commit(), p, cache, done, total, progress);
                cache.link(listing.commit(), p.name(), p.etag());
                done += p.size();
                progress.update(done, total);
            }
            cache.writeRef(revision, listing.commit());
            cache.markComplete(listing.commit());
        } catch (IOException e) {
            throw new HubException(Kind.STORAGE, "cannot write " + repo + " into the hub cache: " + e.getMessage(), e);
        }
        return cache.snapshot(listing.commit());
    }

    private HubListing list(String repo, String revision) throws HubException {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + repo + "/revision/" + encodeAll(revision) + "?blobs=true");
        HttpResponse<InputStream> r = send(uri, -1, "GET", repo, "the file list");
        try (InputStream body = r.body()) {
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (IOException e) {
                throw new HubException(Kind.PROTOCOL, "the hub's file list of " + repo + " is not JSON", e);
            }
            return HubListing.parse(root, repo);
        } catch (IOException e) {
            throw new HubException(Kind.TRANSFER, "reading the file list of " + repo + " failed: " + e.getMessage(), e);
        }
    }

    /** Size and object id of a file the listing gave none for: a HEAD of its resolve URL, as huggingface_hub does. */
    private Planned head(String repo, String commit, String name) throws HubException {
        HttpResponse<InputStream> r = send(resolve(repo, commit, name), -1, "HEAD", repo, name);
        try {
            r.body().close();
        } catch (IOException ignored) {
            // a HEAD has no body to lose
        }
        String etag = r.headers().firstValue("X-Linked-Etag").or(() -> r.headers().firstValue("ETag"))
                .map(HubDownloader::normalise).orElseThrow(() -> new HubException(Kind.PROTOCOL,
                        "the hub gave no ETag for " + repo + "/" + name + ", so it cannot be verified"));
        long size = r.headers().firstValue("X-Linked-Size").or(() -> r.headers().firstValue("Content-Length"))
                .map(Long::parseLong).orElse(-1L);
        if (size < 0) throw new HubException(Kind.PROTOCOL, "the hub gave no size for " + repo + "/" + name);
        return new Planned(name, size, etag);
    }

    private void fetch(String repo, String commit, Planned p, HubCache cache, long doneBefore, long total,
            DownloadProgress progress) throws HubException, IOException {
        Path part = cache.incomplete(p.etag());
        Files.createDirectories(part.getParent());
        HubException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                transfer(repo, commit, p, part, doneBefore, total, progress);
                last = null;
                break;
            } catch (HubException e) {
                if (e.kind() != Kind.TRANSFER) throw e;
                last = e;
            }
        }
        if (last != null) throw last;
        String actual = ObjectIds.of(p.etag(), part);
        if (actual != null && !actual.equals(p.etag())) {
            Files.deleteIfExists(part);
            throw new HubException(Kind.CHECKSUM, repo + "/" + p.name() + " does not match the hub's checksum (expected "
                    + p.etag() + ", got " + actual + "); the partial file was deleted");
        }
        Files.move(part, cache.blob(p.etag()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** One attempt: resumes from the partial file's length, appends until the file has {@code p.size()} bytes. */
    private void transfer(String repo, String commit, Planned p, Path part, long doneBefore, long total, DownloadProgress progress)
            throws HubException, IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > p.size()) {
            Files.delete(part);
            have = 0;
        }
        if (have == p.size()) return;
        HttpResponse<InputStream> r = send(resolve(repo, commit, p.name()), have, "GET", repo, p.name());
        boolean resumed = r.statusCode() == 206;
        if (resumed && !r.headers().firstValue("Content-Range").orElse("").startsWith("bytes " + have + "-")) {
            close(r);
            throw new HubException(Kind.PROTOCOL, "the hub resumed " + repo + "/" + p.name() + " at the wrong offset");
        }
        if (!resumed) have = 0;
        StandardOpenOption mode = resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = r.body();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (Thread.currentThread().isInterrupted())
                    throw new HubException(Kind.CANCELLED, "the download of " + repo + " was cancelled");
                if (have + n > p.size())
                    throw new HubException(Kind.CHECKSUM, repo + "/" + p.name() + " is longer than the hub's size of " + p.size() + " bytes");
                out.write(buf, 0, n);
                have += n;
                progress.update(doneBefore + have, total);
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted())
                throw new HubException(Kind.CANCELLED, "the download of " + repo + " was cancelled", e);
            throw new HubException(Kind.TRANSFER, "the transfer of " + repo + "/" + p.name() + " broke off at " + have + " of "
                    + p.size() + " bytes (" + e.getMessage() + ")", e);
        }
        if (have != p.size())
            throw new HubException(Kind.TRANSFER, "the transfer of " + repo + "/" + p.name() + " ended at " + have + " of "
                    + p.size() + " bytes");
    }

    /** Sends a request, following redirects itself so the token reaches only the endpoint's host. */
    private HttpResponse<InputStream> send(URI uri, long from, String method, String repo, String what) throws HubException {
        URI at = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(at).timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.noBody());
            if (from > 0) b.header("Range", "bytes=" + from + "-");
            if (sameOrigin(at)) settings.token().ifPresent(t -> b.header("Authorization", "Bearer " + t));
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new HubException(Kind.TRANSFER, "cannot reach the hub at " + settings.endpoint() + " for " + repo + " ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(Kind.CANCELLED, "the download of " + repo + " was cancelled", e);
            }
            int s = r.statusCode();
            if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
                Optional<String> location = r.headers().firstValue("Location");
                close(r);
                if (location.isEmpty()) throw new HubException(Kind.PROTOCOL, "the hub redirected " + what + " of " + repo + " nowhere");
                if ("HEAD".equals(method)) return r; // a HEAD answers with the redirect's own headers (X-Linked-*), as on the hub
                at = at.resolve(location.get());
                continue;
            }
            if (s == 200 || s == 206) return r;
            close(r);
            throw switch (s) {
                case 401, 403 -> new HubException(Kind.UNAUTHORIZED, settings.token().isPresent()
                        ? "the hub refused access to " + repo + " (HTTP " + s + "): the token in HF_TOKEN does not grant it"
                        : "the hub refused access to " + repo + " (HTTP " + s + "): it is gated or private; set HF_TOKEN to a token that may read it");
                case 404 -> new HubException(Kind.NOT_FOUND, "the hub has no " + what + " for " + repo + " (HTTP 404): check the repository id and revision");
                case 416 -> new HubException(Kind.TRANSFER, "the hub refused to resume " + what + " of " + repo + " (HTTP 416)");
                default -> new HubException(s >= 500 ? Kind.TRANSFER : Kind.PROTOCOL, "the hub answered HTTP " + s + " for " + what + " of " + repo);
            };
        }
        throw new HubException(Kind.PROTOCOL, "the hub redirected " + what + " of " + repo + " more than " + MAX_REDIRECTS + " times");
    }

    private boolean sameOrigin(URI uri) {
        URI e = settings.endpoint();
        return e.getHost() != null && e.getHost().equalsIgnoreCase(uri.getHost()) && e.getPort() == uri.getPort()
                && e.getScheme().equalsIgnoreCase(uri.getScheme());
    }

    private URI resolve(String repo, String commit, String name) {
        return URI.create(settings.endpoint() + "/" + repo + "/resolve/" + commit + "/" + encode(name));
    }

    /** A path segment with its slashes encoded too, as huggingface_hub sends a revision such as {@code refs/pr/1}. */
    private static String encodeAll(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    private static String normalise(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        if (!e.matches("[A-Za-z0-9._-]{1,128}")) e = Integer.toHexString(e.hashCode()) + "-" + e.length(); // never a path
        return e;
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException ignored) {
            // nothing to recover
        }
    }
}
