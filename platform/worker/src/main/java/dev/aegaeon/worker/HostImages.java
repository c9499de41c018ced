package dev.aegaeon.worker;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.weights.SafetensorsDirectory;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import dev.aegaeon.runtime.weights.WeightSource;
import dev.aegaeon.runtime.weights.WeightTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pool's open weight images in host memory, one per distinct source: every function of one
 * synthetic (shape, seed) shares one generated image, every function of one HF directory (by real
 * path) one memory-mapped {@link SafetensorsDirectory}. Sharing is host-side only: each model still
 * loads its own weights onto the device, has its own KV pool and switches like any other.
 *
 * <p>Invariant: an image is open exactly while at least one {@link #acquire lease} on it is open; the
 * last lease's close closes it. Thread-safe; opening (generating 15 GB for a 7B shape) runs under the
 * image's own lock, so leases of other images proceed meanwhile.
 */
final class HostImages {
    private final Map<Object, Image> images = new HashMap<>();

    private static final class Image {
        final Object key;
        int leases;
        WeightSource source; // null until opened (or after a failed open)

        Image(Object key) { this.key = key; }
    }

    /**
     * A lease on the image of {@code source}, opening it on first use.
     *
     * @throws RuntimeException whatever opening the source threw (the lease is not taken then)
     */
    WeightSource acquire(WeightOrigin source, ModelConfig config) {
        Object key = keyOf(source);
        Image image;
        synchronized (this) {
            image = images.computeIfAbsent(key, Image::new);
            image.leases++;
        }
        try {
            synchronized (image) {
                if (image.source == null) image.source = open(source, config);
                return new Lease(image, image.source);
            }
        } catch (RuntimeException | Error e) {
            release(image);
            throw e;
        }
    }

    /** Images open now (each counted once, however many models lease it). */
    synchronized int openImages() {
        int n = 0;
        for (Image i : images.values()) if (i.source != null) n++;
        return n;
    }

    private void release(Image image) {
        WeightSource toClose = null;
        synchronized (this) {
            if (--image.leases == 0) {
                images.remove(image.key);
                toClose = image.source;
            }
        }
        if (toClose != null) {
            synchronized (image) {
                image.source = null;
                toClose.close();
            }
        }
    }

    /** The identity of {@code source}'s image: sources with equal keys share one image. */
    static Object keyOf(WeightOrigin source) {
        return switch (source) {
            case WeightOrigin.Synthetic s -> s; // (shape, seed): the shape name fixes the config
            case WeightOrigin.HfDirectory hf -> new WeightOrigin.HfDirectory(realPath(hf.path()));
        };
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize(); // opening will report the real problem
        }
    }

    private static WeightSource open(WeightOrigin source, ModelConfig config) {
        return switch (source) {
            case WeightOrigin.Synthetic s -> {
                SyntheticWeights w = new SyntheticWeights(config, s.seed());
                for (String n : w.names()) w.tensor(n); // materialise now: this is the load, not the first step
                yield w;
            }
            case WeightOrigin.HfDirectory hf -> SafetensorsDirectory.open(hf.path());
        };
    }

    /** One model's view of a shared image; closing it (once; later closes are no-ops) drops the lease. */
    private final class Lease implements WeightSource {
        private final Image image;
        private final WeightSource source;
        private boolean closed;

        Lease(Image image, WeightSource source) {
            this.image = image;
            this.source = source;
        }

        @Override public Set<String> names() { return source.names(); }

        @Override public WeightTensor tensor(String name) { return source.tensor(name); }

        @Override public Optional<String> identity() { return source.identity(); }

        @Override public String describe() { return source.describe(); }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) return;
                closed = true;
            }
            release(image);
        }
    }
}
