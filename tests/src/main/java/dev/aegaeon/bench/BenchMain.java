package dev.aegaeon.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Entry point of {@code aegaeon-bench.jar}:
 * <pre>
 *   simulate --experiment e1|e2|e3 [--duration SECONDS] [--seed N] --out DIR
 *   bench-scheduler [--models N] [--steps N]
 *   bench-sim [--models N] [--duration SECONDS]
 * </pre>
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("error: " + e);
            System.exit(1);
        }
    }

    static String usage() {
        return """
                usage:
                  simulate --experiment e1|e2|e3 [--duration SECONDS] [--seed N] --out DIR
                  bench-scheduler [--models N] [--steps N]
                  bench-sim [--models N] [--duration SECONDS]""";
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0) throw new IllegalArgumentException("no command given");
        Args a = Args.parse(args, 1);
        switch (args[0]) {
            case "simulate" -> {
                String exp = a.required("experiment");
                double duration = a.number("duration", 600);
                long seed = (long) a.number("seed", 1);
                Path out = Path.of(a.required("out"));
                if (!(duration > 0)) throw new IllegalArgumentException("--duration must be positive");
                Experiments e = new Experiments(duration, seed, out, System.out);
                String summary = switch (exp) {
                    case "e1" -> e.e1();
                    case "e2" -> e.e2();
                    case "e3" -> e.e3();
                    default -> throw new IllegalArgumentException("unknown experiment '" + exp + "' (known: e1, e2, e3)");
                };
                System.out.println(summary);
            }
            case "bench-scheduler" -> System.out.println(SchedulerBench.run((int) a.number("models", 100), (int) a.number("steps", 200_000)));
            case "bench-sim" -> System.out.println(SimulatorBench.run((int) a.number("models", 1000), a.number("duration", 3600)));
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
        }
        return 0;
    }
}
