package dev.aegaeon.runtime.sampling;

import java.util.PriorityQueue;

/** The ids of the {@code k} largest values, largest first, ties to the lower id. */
final class TopIds {
    private TopIds() {}

    static int[] largest(double[] values, int k) {
        k = Math.min(k, values.length);
        if (k <= 0) return new int[0];
        // a min-heap of the best k so far: its head is the worst kept (smallest value, then highest id)
        PriorityQueue<Integer> kept = new PriorityQueue<>(k + 1, (a, b) -> {
            int byValue = Double.compare(values[a], values[b]);
            return byValue != 0 ? byValue : Integer.compare(b, a);
        });
        for (int i = 0; i < values.length; i++) {
            if (kept.size() < k) kept.add(i);
            else if (values[i] > values[kept.peek()]) {
                kept.poll();
                kept.add(i);
            }
        }
        int[] ids = new int[kept.size()];
        for (int i = ids.length - 1; i >= 0; i--) ids[i] = kept.poll();
        return ids;
    }
}
