package dev.aegaeon.platform.pool;

import java.time.Duration;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import dev.aegaeon.platform.engine.InferenceBackend;
import dev.aegaeon.worker.DeviceLayout;
import dev.aegaeon.worker.ModelPool;
import dev.aegaeon.worker.PoolOptions;
import dev.aegaeon.worker.PoolPolicy;

/**
 * Builds the pooled backend from configuration:
 * <ul>
 *   <li>{@code aegaeon.pool.device}: backend name ({@code cpu}, {@code cuda}, or with the first device's
 *       ordinal, {@code cuda:1}); unset = the best usable one</li>
 *   <li>{@code aegaeon.pool.devices}: how many devices the pool spans, or {@code all} (every GPU of the host;
 *       on the CPU a count simulates that many devices); default 1</li>
 *   <li>{@code aegaeon.pool.mode}: {@code colocated} (every device prefills and decodes, the default),
 *       {@code disaggregated} (prefill devices hand each request's KV to decode devices) or {@code hybrid}
 *       (as disaggregated, but the decode devices also prefill requests of the models they hold)</li>
 *   <li>{@code aegaeon.pool.prefill-devices}: devices that only prefill in disaggregated and hybrid mode (default 1)</li>
 *   <li>{@code aegaeon.pool.peer-handoff}: {@code true} hands each request's KV from prefill to decode device
 *       device to device (CUDA peer copy; the prefill device keeps the blocks until the decode device has
 *       copied them) instead of through host memory; the scheduler's decisions are the same. Default
 *       {@code true}: on two H100s and two H200s the copy took 0.48 ms a request against 14.7 ms through
 *       pinned host memory; where the GPUs have no peer access the driver stages the copy through host
 *       memory itself</li>
 *   <li>{@code aegaeon.pool.memory-bytes}: memory of each device the scheduler may fill (default 8 GiB)</li>
 *   <li>{@code aegaeon.pool.host-memory-bytes}: host memory the registered models' weight images may take
 *       together (default three quarters of physical memory); a registration past it is refused</li>
 *   <li>{@code aegaeon.pool.kv-tokens-per-model}: an optional cap on the KV positions one model may hold on a
 *       device (default none: every model shares one KV page pool per device, filled as tokens are produced, on
 *       the CPU and on CUDA with {@code aegaeon.cuda.deviceMemory=ON_DEMAND}, the default; a CUDA engine with its memory as one
 *       allocation, or a pool with peer hand-offs between prefill and decode devices, keeps a fixed pool of this
 *       many positions per model, 8192 when unset)</li>
 *   <li>{@code aegaeon.pool.kv-page-bytes}: the size of one page of a device's shared KV pool (default 1 MiB; 0 = a fixed
 *       pool of kv-tokens-per-model per model, as before the shared pool)</li>
 *   <li>{@code aegaeon.pool.kv-swap-bytes}: host memory per device for KV swapped out of it (default 4 GiB, vLLM's
 *       {@code --swap-space}); past it a swapped-out sequence's KV is dropped and computed again when it resumes
 *       (recompute preemption, counted in {@code aegaeon_pool_kv_recomputes_total}); 0 always recomputes</li>
 *   <li>{@code aegaeon.pool.policy}: {@code aegaeon} (default: token-level scheduling) or {@code request-level}
 *       (the ServerlessLLM-style baseline, switching models only between requests)</li>
 *   <li>{@code aegaeon.pool.qmax-seconds}: cap on one batch's decode quota in colocated rounds (default
 *       {@value #DEFAULT_QMAX_SECONDS} s, not the paper's 4: on one H100 it took 10 models from 0.73 to 0.96
 *       attainment together with 8,192 KV positions, tests/bench/results/e2e-2026-11-25/kv8192-qmax2/, and
 *       in simulation it raises e1 from 88 to 96 models and leaves e2 unchanged, tests/bench/results/e1-qmax2.0.csv)</li>
 *   <li>{@code aegaeon.pool.ttft-bounded-rounds}: a decode round lasts at most the tightest TTFT objective
 *       among its requests (default false: the paper's quotas, up to qmax-seconds each however many batches
 *       share the round). In simulation it lifts e1 (16 GPUs) on both metrics, but on one GPU past capacity
 *       it makes every stream stall for up to a round and fewer requests meet both SLOs
 *       (tests/bench/README.md, "e1's limit"); not yet measured through the platform</li>
 *   <li>{@code aegaeon.pool.prefill-decodes-when-idle}: in disaggregated and hybrid mode a prefill device
 *       with nothing queued to prefill decodes the requests it just prefilled, and hands them to the decode
 *       devices as soon as a prefill is queued there (default false). Simulated on two H100s it takes the
 *       disaggregated layout from 12 to 16 functions at >= 90% (colocated: 22);
 *       tests/bench/results/e4-idle-decode-2026-12-07</li>
 *   <li>{@code aegaeon.pool.stall-after-seconds}: a device with requests to serve and no step, load, swap or
 *       completion for longer than this logs one warning with its state and counts in
 *       {@code aegaeon_pool_stalls_total} (default {@value dev.aegaeon.worker.SchedulerLoop#DEFAULT_STALL_SECONDS} s)</li>
 *   <li>{@code aegaeon.pool.echo-shape}: the synthetic shape a function of shape {@code echo} runs (default tiny-llama)</li>
 *   <li>{@code aegaeon.hub.endpoint}, {@code aegaeon.hub.cache-dir}: where models named by hub id come from and are kept;
 *       unset = {@code HF_ENDPOINT} (else https://huggingface.co) and {@code HF_HUB_CACHE} (else {@code $HF_HOME/hub},
 *       else {@code ~/.cache/huggingface/hub}); the token for gated repositories is {@code HF_TOKEN}</li>
 * </ul>
 * The CPU backend runs on any JVM: with {@code --add-modules jdk.incubator.vector} it uses the Vector
 * API, without it (plain {@code java -jar quarkus-run.jar}) scalar loops, and says so in one warning.
 */
public final class PoolBackendFactory {
    private static final Logger LOG = Logger.getLogger(PoolBackendFactory.class);

    private PoolBackendFactory() {}

    /** The device keys as a layout; a bad value fails start-up with the key and the reason. */
    static DeviceLayout layout(Config config) {
        String devices = config.getOptionalValue("aegaeon.pool.devices", String.class).map(String::strip).orElse("1");
        int count;
        if (devices.equalsIgnoreCase("all")) {
            count = 0;
        } else {
            try {
                count = Integer.parseInt(devices);
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 1) throw new IllegalArgumentException("aegaeon.pool.devices must be a positive count or 'all', got '" + devices + "'");
        }
        DeviceLayout.Mode mode = DeviceLayout.Mode.parse(config.getOptionalValue("aegaeon.pool.mode", String.class).orElse("colocated"));
        int prefill = config.getOptionalValue("aegaeon.pool.prefill-devices", Integer.class).orElse(1);
        return new DeviceLayout(count, mode, prefill);
    }

    /** The platform's decode-quota cap when {@code aegaeon.pool.qmax-seconds} is not set (see the class comment). */
    static final double DEFAULT_QMAX_SECONDS = 2.0;

    /** The scheduler's tunables: the defaults with {@code aegaeon.pool.qmax-seconds} (else {@value #DEFAULT_QMAX_SECONDS} s); a bad value names the key. */
    static dev.aegaeon.scheduler.SchedulerConfig scheduler(Config config, dev.aegaeon.scheduler.SchedulerConfig defaults) {
        defaults = defaults.withTtftBoundedRounds(flag(config, "aegaeon.pool.ttft-bounded-rounds"))
                .withPrefillDecodesWhenIdle(flag(config, "aegaeon.pool.prefill-decodes-when-idle"));
        Optional<Double> qmax = config.getOptionalValue("aegaeon.pool.qmax-seconds", Double.class);
        if (qmax.isEmpty()) return defaults.withQmaxSeconds(DEFAULT_QMAX_SECONDS);
        if (!(qmax.get() > 0) || qmax.get() > 3600) throw new IllegalArgumentException("aegaeon.pool.qmax-seconds must be in (0, 3600], got " + qmax.get());
        return defaults.withQmaxSeconds(qmax.get());
    }

    /** A boolean key that is false unless set; anything but true or false names the key. */
    private static boolean flag(Config config, String key) {
        String v = config.getOptionalValue(key, String.class).map(String::strip).orElse("false");
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** {@code aegaeon.pool.peer-handoff} (default true); anything but true or false names the key. */
    static boolean peerHandoff(Config config) {
        String v = config.getOptionalValue("aegaeon.pool.peer-handoff", String.class).map(String::strip).orElse("true");
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException("aegaeon.pool.peer-handoff must be true or false, got '" + v + "'");
    }

    /** The hub settings: the environment's, with {@code aegaeon.hub.endpoint} and {@code aegaeon.hub.cache-dir} taking precedence. */
    public static dev.aegaeon.runtime.hub.HubSettings hub(Config config) {
        var env = dev.aegaeon.runtime.hub.HubSettings.fromEnvironment();
        return new dev.aegaeon.runtime.hub.HubSettings(
                config.getOptionalValue("aegaeon.hub.endpoint", String.class).filter(v -> !v.isBlank()).map(java.net.URI::create).orElse(env.endpoint()),
                env.token(),
                config.getOptionalValue("aegaeon.hub.cache-dir", String.class).filter(v -> !v.isBlank()).map(java.nio.file.Path::of).orElse(env.cacheDir()));
    }

    /** {@code aegaeon.pool.stall-after-seconds}, in (0, 86400]; a bad value names the key. */
    static Duration stallAfter(Config config) {
        double s = config.getOptionalValue("aegaeon.pool.stall-after-seconds", Double.class).orElse(dev.aegaeon.worker.SchedulerLoop.DEFAULT_STALL_SECONDS);
        if (!(s > 0) || s > 86_400) throw new IllegalArgumentException("aegaeon.pool.stall-after-seconds must be in (0, 86400], got " + s);
        return Duration.ofNanos((long) (s * 1e9));
    }

    public static InferenceBackend create(Config config) {
        Optional<String> device = config.getOptionalValue("aegaeon.pool.device", String.class).filter(s -> !s.isBlank());
        PoolOptions defaults = PoolOptions.defaults();
        PoolOptions options = new PoolOptions(device,
                config.getOptionalValue("aegaeon.pool.memory-bytes", Long.class).orElse(defaults.memoryBytes()),
                defaults.blockSize(),
                config.getOptionalValue("aegaeon.pool.kv-tokens-per-model", Integer.class).orElse(defaults.kvTokensPerModel()),
                scheduler(config, defaults.scheduler()), PoolOptions.SYSTEM_CLOCK, Duration.ofMillis(250), layout(config),
                PoolPolicy.parse(config.getOptionalValue("aegaeon.pool.policy", String.class).orElse("aegaeon")),
                peerHandoff(config), stallAfter(config),
                config.getOptionalValue("aegaeon.pool.host-memory-bytes", Long.class).orElse(PoolOptions.defaultHostMemoryBytes()),
                config.getOptionalValue("aegaeon.pool.kv-page-bytes", Long.class).orElse(defaults.kvPageBytes()),
                config.getOptionalValue("aegaeon.pool.kv-swap-bytes", Long.class).orElse(PoolOptions.DEFAULT_KV_SWAP_BYTES));
        String echoShape = config.getOptionalValue("aegaeon.pool.echo-shape", String.class).orElse("tiny-llama");
        ModelPool pool = new ModelPool(options);
        LOG.infof("model pool on the %s backend: %d device(s), %s, %d bytes of memory each, %s policy%s", pool.backendName(),
                pool.deviceCount(), pool.mode().name().toLowerCase(java.util.Locale.ROOT), options.memoryBytes(), options.policy(),
                !pool.mode().splitsPrefill() ? "" : options.peerHandoff() ? ", peer KV hand-offs" : ", KV hand-offs through host memory");
        return new PooledInferenceBackend(pool, echoShape, new dev.aegaeon.runtime.hub.HubDownloader(hub(config)));
    }
}
