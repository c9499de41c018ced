package dev.aegaeon.knative;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** The parsed resources of one manifest set (a rendered overlay, or the base's files). */
record Manifests(String origin, List<HasMetadata> resources) {
    static final Path KNATIVE_DIR = Path.of(System.getProperty("aegaeon.knative.dir", ".")).toAbsolutePath();
    static final Path BASE = KNATIVE_DIR.resolve("base");
    static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    static Path overlay(String name) {
        return KNATIVE_DIR.resolve("overlays").resolve(name);
    }

    /** Where kubectl is, if present (on PATH or at /usr/bin/kubectl). */
    static Optional<Path> kubectl() {
        if (Files.isExecutable(KUBECTL)) return Optional.of(KUBECTL);
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Runs {@code kubectl kustomize dir} and parses its output. */
    static Manifests render(Path kubectl, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kustomize-", ".yaml");
        Path err = Files.createTempFile("kustomize-", ".err");
        try {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish in 60 s");
            }
            if (p.exitValue() != 0)
                throw new AssertionError("kubectl kustomize " + dir + " failed: " + Files.readString(err));
            String yaml = Files.readString(out, StandardCharsets.UTF_8);
            return new Manifests(KNATIVE_DIR.relativize(dir).toString(), KubeResources.parseAll(yaml, dir.toString()));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Every resource file of the base (the kustomization and the function YAML are not resources). */
    static Manifests baseFiles() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        try (var files = Files.list(BASE)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yaml") && !f.endsWith("kustomization.yaml")).sorted().toList())
                all.addAll(KubeResources.parseAll(Files.readString(f), f.toString()));
        }
        return new Manifests("base files", all);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = all(type).stream().filter(r -> name.equals(r.getMetadata().getName())).toList();
        if (found.size() != 1)
            throw new AssertionError(origin + ": expected exactly one " + type.getSimpleName() + " " + name + ", found " + found.size());
        return found.get(0);
    }

    /** Whether a resource of this apiVersion, kind and name exists in the set. */
    boolean has(String apiVersion, String kind, String name) {
        return resources.stream().anyMatch(r -> apiVersion.equals(r.getApiVersion()) && kind.equals(r.getKind())
                && name.equals(r.getMetadata().getName()));
    }
}
