package dev.aegaeon.runtime.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against {@link FakeHub}: layout, reuse, resume, verification, and every fault's message. */
class HubDownloaderTest {
    private static final Path FIXTURE = Path.of("..", "tests", "fixtures", "hf", "llama_gqa_tied");
    private static final String REPO = "aegaeon-test/llama-gqa-tied";

    @TempDir
    Path cache;
    private FakeHub hub;
    private Map<String, byte[]> files;

    @BeforeEach
    void serve() throws Exception {
        hub = new FakeHub();
        files = new LinkedHashMap<>();
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors"))
            files.put(f, Files.readAllBytes(FIXTURE.resolve(f)));
        files.put("pytorch_model.bin", new byte[] {1, 2, 3});
        files.put("onnx/model.onnx", new byte[] {4, 5});
        files.put("README.md", "# a model".getBytes(StandardCharsets.UTF_8));
        hub.add(REPO, files, null);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HubDownloader downloader(String token) {
        return new HubDownloader(new HubSettings(hub.endpoint(), Optional.ofNullable(token), cache));
    }

    @Test
    void fetchesOnlyTheNeededFilesIntoTheHubCacheLayoutAndVerifiesThem() throws Exception {
        AtomicLong done = new AtomicLong(), total = new AtomicLong();
        Path snapshot = downloader(null).download(REPO, "main", (d, t) -> { done.set(d); total.set(t); });
        Path repoDir = cache.resolve("models--aegaeon-test--llama-gqa-tied");
        assertEquals(repoDir.resolve("snapshots").resolve(FakeHub.COMMIT), snapshot);
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors")) {
            assertArrayEquals(files.get(f), Files.readAllBytes(snapshot.resolve(f)), f);
            assertTrue(Files.isSymbolicLink(snapshot.resolve(f)), f + " links to its blob, as huggingface_hub lays it out");
        }
        assertFalse(Files.exists(snapshot.resolve("pytorch_model.bin")));
        assertFalse(Files.exists(snapshot.resolve("README.md")));
        assertTrue(hub.requests.stream().noneMatch(r -> r.contains(".bin") || r.contains("onnx") || r.contains("README")), hub.requests.toString());
        assertEquals(FakeHub.COMMIT, Files.readString(repoDir.resolve("refs/main")));
        assertTrue(Files.isRegularFile(repoDir.resolve("blobs").resolve(FakeHub.sha256(files.get("model.safetensors")))));
        assertTrue(Files.isRegularFile(repoDir.resolve("blobs").resolve(FakeHub.gitBlobId(files.get("config.json")))));
        long expected = files.get("config.json").length + files.get("generation_config.json").length + files.get("model.safetensors").length;
        assertEquals(expected, total.get());
        assertEquals(expected, done.get());
        assertEquals(1, hub.cdnHits.get(), "the weights came through the resolve URL's redirect");
        try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
    }

    @Test
    void aSecondDownloadReusesTheCacheAndFetchesNothing() throws Exception {
        downloader(null).download(REPO, "main", DownloadProgress.NONE);
        hub.requests.clear();
        downloader(null).download(REPO, "main", DownloadProgress.NONE);
        assertEquals(1, hub.requests.size(), "only the listing: " + hub.requests);
    }

    @Test
    void aCompleteSnapshotOfACommitIsUsedWithoutAskingTheHub() throws Exception {
        Path first = downloader(null).download(REPO, "main", DownloadProgress.NONE);
        hub.requests.clear();
        assertEquals(first, downloader(null).download(REPO, FakeHub.COMMIT, DownloadProgress.NONE));
        assertTrue(hub.requests.isEmpty(), "a commit never changes: no listing, no file: " + hub.requests);
    }

    @Test
    void offlineModeServesTheCacheAndRefusesWhatIsNotThere() throws Exception {
        Path first = downloader(null).download(REPO, "main", DownloadProgress.NONE);
        hub.requests.clear();
        HubDownloader offline = new HubDownloader(new HubSettings(hub.endpoint(), Optional.empty(), cache, true));
        assertEquals(first, offline.download(REPO, "main", DownloadProgress.NONE), "refs/main leads to the complete snapshot");
        HubException e = assertThrows(HubException.class, () -> offline.download("org/other", "main", DownloadProgress.NONE));
        assertEquals(HubException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE") && e.getMessage().contains("org/other"), e.getMessage());
        assertTrue(hub.requests.isEmpty(), "offline means no request at all: " + hub.requests);
        assertTrue(HubSettings.from(Map.of("HF_HUB_OFFLINE", "1"), cache).offline());
        assertFalse(HubSettings.from(Map.of("HF_HUB_OFFLINE", "0"), cache).offline());
    }

    @Test
    void anUnreachableHubFallsBackToTheCompleteCachedSnapshot() throws Exception {
        Path first = downloader(null).download(REPO, "main", DownloadProgress.NONE);
        java.net.URI endpoint = hub.endpoint();
        hub.close(); // nothing listens there any more
        HubDownloader cut = new HubDownloader(new HubSettings(endpoint, Optional.empty(), cache));
        assertEquals(first, cut.download(REPO, "main", DownloadProgress.NONE));
        HubException e = assertThrows(HubException.class, () -> cut.download("org/never-fetched", "main", DownloadProgress.NONE));
        assertEquals(HubException.Kind.TRANSFER, e.kind(), "nothing cached: the hub's absence is the error");
    }

    @Test
    void aSnapshotMissingAFileIsNotComplete() throws Exception {
        hub.truncate("model.safetensors", 10, 100); // every attempt breaks off
        assertThrows(HubException.class, () -> downloader(null).download(REPO, "main", DownloadProgress.NONE));
        HubDownloader offline = new HubDownloader(new HubSettings(hub.endpoint(), Optional.empty(), cache, true));
        assertThrows(HubException.class, () -> offline.download(REPO, "main", DownloadProgress.NONE),
                "config.json alone in the snapshot is not a model to start from");
    }

    @Test
    void aGatedRepositoryAnswers401WithoutATokenAndDownloadsWithIt() throws Exception {
        hub.add("org/gated", files, "hf_secret_token");
        HubException e = assertThrows(HubException.class, () -> downloader(null).download("org/gated", "main", DownloadProgress.NONE));
        assertEquals(HubException.Kind.UNAUTHORIZED, e.kind());
        assertTrue(e.getMessage().contains("HF_TOKEN") && e.getMessage().contains("org/gated"), e.getMessage());
        HubException wrong = assertThrows(HubException.class, () -> downloader("hf_wrong").download("org/gated", "main", DownloadProgress.NONE));
        assertFalse(wrong.getMessage().contains("hf_wrong"), "the token never appears in a message");
        Path snapshot = downloader("hf_secret_token").download("org/gated", "main", DownloadProgress.NONE);
        assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertTrue(hub.authorizations.stream().noneMatch(a -> a.startsWith("/cdn/")),
                "the token goes to the hub, not to the host a redirect names: " + hub.authorizations);
    }

    @Test
    void anUnknownRepositoryIsNotFound() {
        HubException e = assertThrows(HubException.class, () -> downloader(null).download("org/nothing", "main", DownloadProgress.NONE));
        assertEquals(HubException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("org/nothing"), e.getMessage());
    }

    @Test
    void aTransferCutShortResumesWithARangeRequest() throws Exception {
        hub.truncate("model.safetensors", 1000, 1);
        Path snapshot = downloader(null).download(REPO, "main", DownloadProgress.NONE);
        assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertEquals(List.of("model.safetensors bytes=1000-"), hub.rangeRequests);
    }

    @Test
    void aTransferThatKeepsBreakingFailsAndLeavesNoFileUnderItsFinalName() throws Exception {
        hub.truncate("model.safetensors", 1000, 100);
        HubException e = assertThrows(HubException.class, () -> downloader(null).download(REPO, "main", DownloadProgress.NONE));
        assertEquals(HubException.Kind.TRANSFER, e.kind());
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("of " + files.get("model.safetensors").length),
                e.getMessage());
        Path snapshot = cache.resolve("models--aegaeon-test--llama-gqa-tied/snapshots").resolve(FakeHub.COMMIT);
        assertFalse(Files.exists(snapshot.resolve("model.safetensors")));
        assertFalse(Files.exists(cache.resolve("models--aegaeon-test--llama-gqa-tied/blobs").resolve(FakeHub.sha256(files.get("model.safetensors")))));
        // the next attempt picks up where the partial file stopped
        hub.truncate("model.safetensors", 0, 0);
        hub.rangeRequests.clear();
        downloader(null).download(REPO, "main", DownloadProgress.NONE);
        assertEquals(List.of("model.safetensors bytes=1000-"), hub.rangeRequests);
    }

    @Test
    void bytesThatDoNotMatchTheChecksumAreDeletedAndNamed() throws Exception {
        String sha = FakeHub.sha256(files.get("model.safetensors"));
        byte[] bad = files.get("model.safetensors").clone();
        bad[bad.length / 2] ^= 0x55;
        hub.corrupt("model.safetensors", bad);
        HubException e = assertThrows(HubException.class, () -> downloader(null).download(REPO, "main", DownloadProgress.NONE));
        assertEquals(HubException.Kind.CHECKSUM, e.kind());
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("checksum"), e.getMessage());
        Path blobs = cache.resolve("models--aegaeon-test--llama-gqa-tied/blobs");
        try (Stream<Path> s = Files.list(blobs)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(sha)),
                    "neither the blob nor its partial file stays");
        }
        assertFalse(Files.exists(cache.resolve("models--aegaeon-test--llama-gqa-tied/snapshots").resolve(FakeHub.COMMIT).resolve("model.safetensors")));
    }

    @Test
    void aRepositoryWithoutSafetensorsIsRefusedBeforeAnyFileMoves() {
        hub.add("org/pickles", Map.of("config.json", "{}".getBytes(StandardCharsets.UTF_8), "pytorch_model.bin", new byte[8]), null);
        HubException e = assertThrows(HubException.class, () -> downloader(null).download("org/pickles", "main", DownloadProgress.NONE));
        assertTrue(e.getMessage().contains("safetensors"), e.getMessage());
        assertTrue(hub.requests.stream().noneMatch(r -> r.contains("/resolve/")), hub.requests.toString());
    }

    @Test
    void settingsComeFromTheHuggingFaceEnvironmentVariables() {
        HubSettings s = HubSettings.from(Map.of("HF_ENDPOINT", "http://hub.local:9000/", "HF_TOKEN", "hf_x", "HF_HOME", "/data/hf"), Path.of("/home/u"));
        assertEquals("http://hub.local:9000", s.endpoint().toString());
        assertEquals(Path.of("/data/hf/hub"), s.cacheDir());
        assertFalse(s.toString().contains("hf_x"));
        HubSettings d = HubSettings.from(Map.of(), Path.of("/home/u"));
        assertEquals(HubSettings.DEFAULT_ENDPOINT, d.endpoint().toString());
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), d.cacheDir());
        assertEquals(Path.of("/c"), HubSettings.from(Map.of("HF_HUB_CACHE", "/c", "HF_HOME", "/h"), Path.of("/u")).cacheDir());
    }

    @Test
    void progressIsLoggedEveryFewSecondsNotPerChunk() {
        long[] now = {0};
        List<String> lines = new java.util.ArrayList<>();
        AtomicLong seen = new AtomicLong();
        ProgressLog log = new ProgressLog("org/m", (d, t) -> seen.incrementAndGet(), 5_000_000_000L, () -> now[0], lines::add);
        for (int i = 1; i <= 100; i++) {
            now[0] = i * 100_000_000L; // a chunk every 0.1 s, 10 s in all
            log.update(i * 100_000L, 10_000_000L);
        }
        assertEquals(100, seen.get(), "every update reaches the state");
        assertEquals(List.of("downloading org/m: 50% (5.0 of 10.0 MB) at 1.0 MB/s",
                "downloading org/m: 100% (10.0 of 10.0 MB) at 1.0 MB/s"), lines);
        log.update(10_000_000L, 10_000_000L);
        assertEquals(2, lines.size(), "the last line is not repeated");
    }
}
