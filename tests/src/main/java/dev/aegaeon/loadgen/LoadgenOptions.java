package dev.aegaeon.loadgen;

import dev.aegaeon.bench.Args;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Options of the {@code loadgen} subcommand. {@code functionCounts} holds one N (a single point)
 * or several ({@code --functions-list}, a sweep in one process). Every function is registered on
 * the same synthetic {@code shape} and {@code seed}, so the host may share one weight image while
 * the GPU still loads, switches and caches them as distinct models.
 */
public record LoadgenOptions(URI base, List<Integer> functionCounts, double seconds, double ratePerFunction, long traceSeed,
                             String shape, long modelSeed, int maxSeq, int vocab, double ttftSeconds, double tpotSeconds,
                             boolean warmup, double drainSeconds, double pauseSeconds, Path out, Optional<String> card,
                             Optional<String> commit, String policyLabel, String functionPrefix, boolean tokenTimes) {

    public static final String USAGE = """
              loadgen --url http://HOST:PORT (--functions N | --functions-list 2,4,6) --out DIR
                      [--seconds 180] [--rate 0.1] [--seed 1] [--shape qwen2.5-7b] [--model-seed 7]
                      [--max-seq 4096] [--vocab 512] [--ttft 10] [--tpot 0.1] [--warmup true]
                      [--drain 120] [--pause 10] [--card TEXT] [--commit SHA] [--policy-label NAME]
                      [--token-times false]  (true: every token's arrival time in the JSON)""";

    public static LoadgenOptions parse(String[] args, int from) {
        Args a = Args.parse(args, from);
        URI base = URI.create(a.string("url", "http://127.0.0.1:8080"));
        if (base.getScheme() == null || base.getHost() == null) throw new IllegalArgumentException("--url must be like http://HOST:PORT");
        List<Integer> counts = new ArrayList<>();
        String list = a.string("functions-list", null);
        if (list != null) {
            for (String s : list.split(",")) counts.add(positiveInt("functions-list", s.trim()));
        } else {
            counts.add(positiveInt("functions", a.string("functions", "2")));
        }
        double seconds = positive(a, "seconds", 180);
        double rate = positive(a, "rate", 0.1);
        int maxSeq = (int) positive(a, "max-seq", 4096);
        if (maxSeq < 2) throw new IllegalArgumentException("--max-seq must be at least 2");
        int vocab = (int) positive(a, "vocab", 512);
        if (vocab <= LoadTrace.FIRST_TOKEN_ID) throw new IllegalArgumentException("--vocab must be above " + LoadTrace.FIRST_TOKEN_ID);
        double drain = a.number("drain", 120);
        double pause = a.number("pause", 10);
        if (drain < 0 || pause < 0) throw new IllegalArgumentException("--drain and --pause must not be negative");
        boolean warm = bool(a, "warmup", true), tokenTimes = bool(a, "token-times", false);
        return new LoadgenOptions(base, List.copyOf(counts), seconds, rate, (long) a.number("seed", 1), a.string("shape", "qwen2.5-7b"),
                (long) a.number("model-seed", 7), maxSeq, vocab, positive(a, "ttft", 10), positive(a, "tpot", 0.1),
                warm, drain, pause, Path.of(a.required("out")), Optional.ofNullable(a.string("card", null)),
                Optional.ofNullable(a.string("commit", null)), a.string("policy-label", "unlabelled"), a.string("prefix", "fn"), tokenTimes);
    }

    public int maxFunctions() {
        return functionCounts.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    public String functionName(int i) {
        return functionPrefix + i;
    }

    private static double positive(Args a, String name, double dflt) {
        double v = a.number(name, dflt);
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException("--" + name + " must be a positive number");
        return v;
    }

    private static boolean bool(Args a, String name, boolean dflt) {
        String v = a.string(name, String.valueOf(dflt));
        if (!v.equals("true") && !v.equals("false")) throw new IllegalArgumentException("--" + name + " must be true or false");
        return v.equals("true");
    }

    private static int positiveInt(String name, String s) {
        try {
            int v = Integer.parseInt(s);
            if (v < 1 || v > 1000) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs integers in [1, 1000], got '" + s + "'");
        }
    }
}
