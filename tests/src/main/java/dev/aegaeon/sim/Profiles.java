package dev.aegaeon.sim;

import dev.aegaeon.scheduler.DistServeCostModel.ProfilePoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The vLLM step profiles of the Aegaeon artifact (copied from shared/data/vllm-profiles.csv into
 * this module's resources): {@code model,gpu,input_len,batch,prefill_ms,decode_ms}.
 */
public final class Profiles {
    private final Map<String, List<ProfilePoint>> byKey;

    private Profiles(Map<String, List<ProfilePoint>> byKey) {
        this.byKey = byKey;
    }

    public static Profiles bundled() {
        InputStream in = Profiles.class.getResourceAsStream("vllm-profiles.csv");
        if (in == null) throw new IllegalStateException("vllm-profiles.csv is missing from the classpath");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return parse(r.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A profile table given directly, keyed {@code model@GPU} (e.g. measured costs). */
    public static Profiles of(Map<String, List<ProfilePoint>> byKey) {
        return new Profiles(Map.copyOf(byKey));
    }

    public static Profiles parse(List<String> lines) {
        Map<String, List<ProfilePoint>> map = new HashMap<>();
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank() || line.startsWith("#") || line.startsWith("model,")) continue;
            String[] f = line.split(",");
            if (f.length != 6) throw new IllegalArgumentException("profile line " + n + ": expected 6 fields, got " + f.length);
            try {
                map.computeIfAbsent(key(f[0], f[1]), k -> new ArrayList<>()).add(new ProfilePoint(Integer.parseInt(f[2]),
                        Integer.parseInt(f[3]), Double.parseDouble(f[4]) / 1e3, Double.parseDouble(f[5]) / 1e3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("profile line " + n + ": " + e.getMessage());
            }
        }
        return new Profiles(map);
    }

    private static String key(String model, String gpu) {
        return model + "@" + gpu;
    }

    public List<ProfilePoint> points(String model, GpuKind gpu) {
        return byKey.getOrDefault(key(model, gpu.name()), List.of());
    }

    /** Profile keys (model names) measured on the GPU. */
    public List<String> modelsOn(GpuKind gpu) {
        return byKey.keySet().stream().filter(k -> k.endsWith("@" + gpu.name())).map(k -> k.substring(0, k.indexOf('@'))).sorted().toList();
    }
}
