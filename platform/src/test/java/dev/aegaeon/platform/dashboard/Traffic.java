package dev.aegaeon.platform.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** Registers synthetic functions and keeps requests to them in flight, over real HTTP, until closed. */
final class Traffic implements AutoCloseable {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** The test profile's admin token ({@code %test.aegaeon.admin.token}). */
    static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    /** An admin request: the admin token attached. */
    static HttpRequest.Builder admin(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + ADMIN_TOKEN);
    }

    /** Removes a function (tests share one application). */
    static void delete(URI base, String name) throws Exception {
        CLIENT.send(admin(base.resolve("/admin/functions/" + name)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /** Registers {@code name} (a synthetic model of seed {@code seed}, an API key when {@code key} is not null) unless it exists. */
    static void register(URI base, String name, int seed, String key) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"model\":{\"synthetic\":{\"shape\":\"echo\",\"seed\":" + seed
                + ",\"tokenInterval\":\"1ms\"}}" + (key == null ? "" : ",\"apiKey\":\"" + key + "\"") + "}";
        HttpResponse<String> r = CLIENT.send(admin(base.resolve("/admin/functions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201 && r.statusCode() != 409) throw new AssertionError("cannot create " + name + ": " + r.body());
    }

    /** Two clients per function, each sending one chat completion after another ({@code keys}: API keys by function). */
    Traffic(URI base, List<String> functions, Map<String, String> keys) {
        for (String f : functions) {
            for (int i = 0; i < 2; i++) {
                String key = keys.get(f);
                Thread t = Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        String body = "{\"model\":\"" + f + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about GPUs\"}],"
                                + "\"max_tokens\":24}";
                        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/v1/chat/completions")).timeout(Duration.ofSeconds(60))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                        if (key != null) b.header("Authorization", "Bearer " + key);
                        try {
                            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) throw new AssertionError(f + ": " + r.statusCode() + " " + r.body());
                        } catch (InterruptedException e) {
                            return;
                        } catch (java.io.IOException e) {
                            if (running.get()) throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
                threads.add(t);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) t.join(Duration.ofSeconds(60));
    }
}
