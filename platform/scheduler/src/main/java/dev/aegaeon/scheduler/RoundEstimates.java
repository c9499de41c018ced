package dev.aegaeon.scheduler;

/**
 * Seconds the scheduler expects things to take, read from the {@link CostModel} against the
 * current instance state: model switches, group prefills, a decode round's feasibility
 * ({@code alpha}) and a turn's quota. Invariants: it only reads state (no side effects), so the
 * planner and the round policy may ask as often as they like without changing any decision;
 * a model that stays resident across the round costs no switch.
 */
final class RoundEstimates {
    private final CostModel cost;
    private final SchedulerConfig config;

    RoundEstimates(CostModel cost, SchedulerConfig config) {
        this.cost = cost;
        this.config = config;
    }

    /**
     * The paper's alpha for the instance's round, optionally with one more request of
     * {@code extraModel}: at most 1 means every batch can keep its TPOT.
     */
    double roundAlpha(InstanceState inst, ModelSpec extraModel, Req extra) {
        int k = inst.order.size();
        boolean newBatch = extraModel != null && !inst.batches.containsKey(extraModel.name());
        if (k == 0 && extraModel == null) return 0;
        double sumInv = 0, minN = Double.POSITIVE_INFINITY, c0 = 0;
        for (DecodeBatch b : inst.order) {
            int size = b.members.size() + (extraModel != null && b.model.equals(extraModel.name()) ? 1 : 0);
            long ctx = b.contextTokens + (extraModel != null && b.model.equals(extraModel.name()) ? extra.spec.promptTokens() : 0);
            double d = cost.decodeStepSeconds(b.model, Math.max(1, size), ctx);
            double n = b.tpot / d;
            sumInv += 1 / n;
            minN = Math.min(minN, n);
            c0 += switchEstimate(inst, b.spec, k + (newBatch ? 1 : 0));
        }
        if (newBatch) {
            double d = cost.decodeStepSeconds(extraModel.name(), 1, extra.spec.promptTokens());
            double n = extra.spec.slo().tpotSeconds() / d;
            sumInv += 1 / n;
            minN = Math.min(minN, n);
            c0 += switchEstimate(inst, extraModel, k + 1);
        }
        if (k + (newBatch ? 1 : 0) <= 1) return sumInv;
        return c0 / (minN * config.qmaxSeconds()) + sumInv;
    }

    /**
     * Quota of the batch at {@code index} in the instance's round. Queued prefill groups of a
     * batch's model count as round overhead and their prompts as batch size (colocated interleaving).
     * With {@code ttftBoundedRounds} the round lasts at most its tightest TTFT objective.
     */
    double quotaFor(InstanceState inst, int index) {
        int k = inst.order.size();
        double[] d = new double[k], tpot = new double[k];
        double c0 = 0;
        for (int i = 0; i < k; i++) {
            DecodeBatch b = inst.order.get(i);
            int waiting = 0;
            double prefill = 0;
            if (b.queuedGroups > 0) {
                for (PrefillGroup g : inst.groups) {
                    if (g.model.equals(b.model)) {
                        waiting += g.members.size();
                        prefill += prefillEstimate(g);
                    }
                }
            }
            d[i] = cost.decodeStepSeconds(b.model, Math.max(1, Math.min(config.maxDecodeBatch(), b.members.size() + waiting)), b.contextTokens);
            tpot[i] = b.tpot;
            long hostKv = 0;
            for (Req r : b.members) hostKv += r.hostBytes;
            c0 += switchEstimate(inst, b.spec, k) + (hostKv > 0 ? cost.swapSeconds(hostKv) : 0) + prefill;
        }
        double[] n = new double[k];
        double ttft = Double.POSITIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            n[i] = tpot[i] / d[i];
            ttft = Math.min(ttft, inst.order.get(i).ttft);
        }
        double[] q = Quotas.quotas(d, tpot, c0, Quotas.alpha(n, c0, config.qmaxSeconds()));
        if (config.ttftBoundedRounds() && ttft < Double.POSITIVE_INFINITY) q = Quotas.boundRound(q, d, tpot, c0, ttft);
        return q[index];
    }

    /** Switch cost of a model in a round of {@code batches}: a load unless it stays resident. */
    double switchEstimate(InstanceState inst, ModelSpec m, int batches) {
        boolean willLoad = !inst.residentOrLoading(m.name()) || (!config.multiResident() && batches > 1);
        return willLoad ? switchSeconds(m) : 0;
    }

    double switchSeconds(ModelSpec m) {
        return cost.loadSeconds(m.name(), m.weightBytes());
    }

    double prefillEstimate(PrefillGroup g) {
        if (g.members.isEmpty()) return 0;
        return cost.prefillSeconds(g.model, g.members.size(), g.tokens(), g.tokensSquared());
    }
}
