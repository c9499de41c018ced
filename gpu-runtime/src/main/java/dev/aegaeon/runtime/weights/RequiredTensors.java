package dev.aegaeon.runtime.weights;

import dev.aegaeon.runtime.model.ModelConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Checks, before any compute, that a weight source holds every tensor the config needs, in the right shape. */
public final class RequiredTensors {
    private RequiredTensors() {}

    private static final int MAX_LISTED = 10;

    /**
     * @throws WeightFormatException naming the source and each missing or misshapen tensor (the
     *                               first {@value #MAX_LISTED}, with a count of the rest)
     */
    public static void check(ModelConfig config, WeightSource source) {
        List<String> missing = new ArrayList<>();
        List<String> misshapen = new ArrayList<>();
        for (TensorSpec spec : ModelTensors.of(config)) {
            if (!source.has(spec.name())) {
                missing.add("missing tensor " + spec.name() + " (expected shape " + Arrays.toString(spec.shape()) + ")");
                continue;
            }
            long[] actual;
            try {
                actual = source.tensor(spec.name()).shape();
            } catch (WeightFormatException e) { // e.g. stored in a dtype the runtime cannot read
                missing.add(e.getMessage());
                continue;
            }
            if (!spec.shapeMatches(actual)) {
                misshapen.add("tensor " + spec.name() + " has shape " + Arrays.toString(actual)
                        + " but the config needs " + Arrays.toString(spec.shape()));
            }
        }
        // Missing tensors first: they usually explain the rest (wrong family or config).
        List<String> problems = new ArrayList<>(missing);
        problems.addAll(misshapen);
        if (problems.isEmpty()) return;
        StringBuilder msg = new StringBuilder(source.describe()).append(" does not match its config (")
                .append(config.architecture()).append("): ");
        msg.append(String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size()))));
        if (problems.size() > MAX_LISTED) msg.append("; and ").append(problems.size() - MAX_LISTED).append(" more");
        throw new WeightFormatException(msg.toString());
    }
}
