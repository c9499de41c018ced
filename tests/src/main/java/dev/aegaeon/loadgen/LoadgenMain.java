package dev.aegaeon.loadgen;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code loadgen}: registers fn0..fn{max-1} once, then for each N of the list drives fn0..fn{N-1}
 * with its own trace and writes one JSON per point and a CSV for the sweep. Functions beyond the
 * current N stay registered but get no traffic (minScale 0, so the pool lets them go idle); a
 * pause between points lets the previous point's state settle. Points run in the order given.
 */
public final class LoadgenMain {
    private LoadgenMain() {}

    public static List<PointSummary> run(LoadgenOptions o, PrintStream log) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        FunctionRegistrar registrar = new FunctionRegistrar(http, o.base());
        for (int i = 0; i < o.maxFunctions(); i++) registrar.register(o.functionName(i), o);
        for (int i = 0; i < o.maxFunctions(); i++) registrar.awaitRegistered(o.functionName(i), Duration.ofSeconds(120));
        log.printf("registered %s0..%s%d: synthetic %s, seed %d for all (one shared host image; distinct models on the GPU), "
                        + "SLO TTFT %.1f s / TPOT %.0f ms, minScale 0; policy label '%s'%n", o.functionPrefix(), o.functionPrefix(),
                o.maxFunctions() - 1, o.shape(), o.modelSeed(), o.ttftSeconds(), o.tpotSeconds() * 1000, o.policyLabel());
        LoadPoint point = new LoadPoint(http, o, log);
        List<PointSummary> done = new ArrayList<>();
        for (int k = 0; k < o.functionCounts().size(); k++) {
            if (k > 0 && o.pauseSeconds() > 0) Thread.sleep((long) (o.pauseSeconds() * 1000));
            LoadPoint.Result r = point.run(o.functionCounts().get(k));
            done.add(r.summary());
            Path json = ResultWriter.writeJson(o, r, o.out());
            Path csv = ResultWriter.writeCsv(o, done, o.out());
            ResultWriter.printTable(log, o.policyLabel(), List.of(r.summary()));
            r.summary().sampleErrors().forEach(e -> log.println("  error: " + e));
            log.println("wrote " + json + " and " + csv);
        }
        log.println();
        ResultWriter.printTable(log, o.policyLabel(), done);
        return done;
    }
}
