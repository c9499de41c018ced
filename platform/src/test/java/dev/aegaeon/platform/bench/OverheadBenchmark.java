package dev.aegaeon.platform.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Measures the platform's own overhead with the trivial engine, against a running platform
 * ({@code java -jar platform/target/quarkus-app/quarkus-run.jar}):
 * <ol>
 *   <li>HTTP: open-loop {@code POST /v1/completions} at {@code --rate} per second; the platform's
 *       {@code aegaeon_admission_overhead_seconds} (arrival in the route handler to the backend's
 *       submit returning) gives p50/p99;</li>
 *   <li>Kafka: invocations produced at the same rate to {@code aegaeon.invocations}; the platform's
 *       {@code aegaeon_kafka_result_overhead_seconds} (last token to the result record handed to the
 *       producer) gives p50/p99, and its admission overhead for Kafka arrivals.</li>
 * </ol>
 * Percentiles are the platform's own (Micrometer, exact to 2 significant digits) for functions the
 * benchmark registers fresh, so warm-up traffic (on another function) is not counted.
 *
 * <p>Run: {@code ./mvnw -q -pl platform exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.aegaeon.platform.bench.OverheadBenchmark -Dexec.args="--rate 1000 --seconds 10"}
 */
public final class OverheadBenchmark {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).build();

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new java.util.HashMap<>(Map.of("--url", "http://localhost:8080", "--kafka", "127.0.0.1:9092",
                "--rate", "1000", "--seconds", "10", "--tokens", "4"));
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        URI base = URI.create(opt.get("--url"));
        int rate = Integer.parseInt(opt.get("--rate"));
        int seconds = Integer.parseInt(opt.get("--seconds"));
        int tokens = Integer.parseInt(opt.get("--tokens"));
        String suffix = Long.toString(System.currentTimeMillis() % 1_000_000);
        String warm = "bench-warm-" + suffix, httpFn = "bench-http-" + suffix, kafkaFn = "bench-kafka-" + suffix;
        for (String f : List.of(warm, httpFn, kafkaFn)) register(base, f);

        System.out.printf("warm-up: %d s HTTP + %d s Kafka at %d/s on %s%n", 3, 3, rate, warm);
        httpLoad(base, warm, rate, 3, tokens);
        kafkaLoad(opt.get("--kafka"), warm, rate, 3, tokens); // JIT-compile the Kafka path too
        System.out.printf("HTTP: %d s at %d/s, max_tokens %d%n", seconds, rate, tokens);
        List<Long> e2e = httpLoad(base, httpFn, rate, seconds, tokens);
        System.out.printf("Kafka: %d s at %d/s%n", seconds, rate);
        kafkaLoad(opt.get("--kafka"), kafkaFn, rate, seconds, tokens);

        String metrics = HTTP.send(HttpRequest.newBuilder(base.resolve("/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        System.out.println();
        System.out.println("platform overhead (server-side, this machine):");
        report(metrics, "aegaeon_admission_overhead_seconds", httpFn, "HTTP arrival -> engine submit  ");
        report(metrics, "aegaeon_admission_overhead_seconds", kafkaFn, "Kafka record -> engine submit  ");
        report(metrics, "aegaeon_kafka_result_overhead_seconds", kafkaFn, "last token -> Kafka result     ");
        Collections.sort(e2e);
        if (!e2e.isEmpty())
            System.out.printf("client-side HTTP round trip incl. %d tokens: p50 %.3f ms, p99 %.3f ms (n=%d)%n", tokens,
                    e2e.get(e2e.size() / 2) / 1e6, e2e.get((int) (e2e.size() * 0.99)) / 1e6, e2e.size());
        System.exit(0);
    }

    static void register(URI base, String name) throws Exception {
        String spec = "{\"name\":\"" + name + "\",\"model\":{\"synthetic\":{\"shape\":\"echo\",\"tokenInterval\":\"1ms\"}},"
                + "\"scaling\":{\"minScale\":1},\"limits\":{\"maxConcurrent\":2000,\"maxQueued\":1000}}";
        var r = HTTP.send(HttpRequest.newBuilder(base.resolve("/admin/functions")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + adminToken())
                .POST(HttpRequest.BodyPublishers.ofString(spec)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IllegalStateException("cannot register " + name + ": " + r.body());
    }

    /** {@code AEGAEON_ADMIN_TOKEN}, else the token the platform generated in the default data directory. */
    static String adminToken() throws java.io.IOException {
        String env = System.getenv("AEGAEON_ADMIN_TOKEN");
        if (env != null && !env.isBlank()) return env.strip();
        return java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("user.home"), ".aegaeon", "admin-token")).strip();
    }

    /** Open loop: requests leave on schedule whether or not earlier ones finished. Returns round-trip nanos. */
    static List<Long> httpLoad(URI base, String fn, int rate, int seconds, int tokens) throws Exception {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger failures = new AtomicInteger();
        List<CompletableFuture<?>> all = Collections.synchronizedList(new ArrayList<>());
        byte[] body = ("{\"model\":\"" + fn + "\",\"prompt\":\"benchmark\",\"max_tokens\":" + tokens + "}").getBytes(StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long total = (long) rate * seconds;
        AtomicInteger sent = new AtomicInteger();
        long periodNanos = 1_000_000_000L / rate;
        var task = ticker.scheduleAtFixedRate(() -> {
            if (sent.getAndIncrement() >= total) return;
            long start = System.nanoTime();
            all.add(HTTP.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                if (e != null || r.statusCode() != 200) failures.incrementAndGet();
                else latencies.add(System.nanoTime() - start);
            }));
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        while (sent.get() < total) Thread.sleep(50);
        task.cancel(false);
        ticker.shutdown();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(60, TimeUnit.SECONDS);
        if (failures.get() > 0) System.out.printf("  %d of %d requests failed%n", failures.get(), total);
        return new ArrayList<>(latencies);
    }

    static void kafkaLoad(String bootstrap, String fn, int rate, int seconds, int tokens) throws Exception {
        long total = (long) rate * seconds;
        String run = UUID.randomUUID().toString().substring(0, 8);
        Set<String> answered = ConcurrentHashMap.newKeySet();
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer());
             var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + run, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("aegaeon.results"));
            while (consumer.assignment().isEmpty()) consumer.poll(Duration.ofMillis(100));
            consumer.assignment().forEach(consumer::position); // resolve "latest" now, before producing
            byte[] body = ("{\"model\":\"" + fn + "\",\"prompt\":\"benchmark\",\"max_tokens\":" + tokens + "}").getBytes(StandardCharsets.UTF_8);
            long periodNanos = 1_000_000_000L / rate;
            long start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = start + i * periodNanos;
                while (System.nanoTime() < due) {
                    if (due - System.nanoTime() > 2_000_000) consumer.poll(Duration.ZERO).forEach(r -> answered.add(new String(r.key(), StandardCharsets.UTF_8)));
                    else Thread.onSpinWait();
                }
                producer.send(new ProducerRecord<>("aegaeon.invocations", (run + "-" + i).getBytes(StandardCharsets.UTF_8), body));
            }
            producer.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (answered.stream().filter(k -> k.startsWith(run)).count() < total && System.nanoTime() < deadline)
                consumer.poll(Duration.ofMillis(100)).forEach(r -> answered.add(new String(r.key(), StandardCharsets.UTF_8)));
            System.out.printf("  %d of %d Kafka invocations answered%n", answered.stream().filter(k -> k.startsWith(run)).count(), total);
        }
    }

    static void report(String metrics, String name, String fn, String label) {
        double p50 = quantile(metrics, name, fn, "0.5"), p99 = quantile(metrics, name, fn, "0.99");
        double max = value(metrics, Pattern.compile(Pattern.quote(name + "_max{function=\"" + fn + "\"}") + " (\\S+)"));
        double count = value(metrics, Pattern.compile(Pattern.quote(name + "_count{function=\"" + fn + "\"}") + " (\\S+)"));
        System.out.printf("  %s p50 %.3f ms   p99 %.3f ms   max %.3f ms   (n=%.0f)%n", label, p50 * 1e3, p99 * 1e3, max * 1e3, count);
    }

    static double quantile(String metrics, String name, String fn, String q) {
        return value(metrics, Pattern.compile(Pattern.quote(name + "{function=\"" + fn + "\",quantile=\"" + q + "\"}") + " (\\S+)"));
    }

    static double value(String metrics, Pattern p) {
        Matcher m = p.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
