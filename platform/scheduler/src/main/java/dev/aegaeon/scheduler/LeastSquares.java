package dev.aegaeon.scheduler;

import java.util.Arrays;

/**
 * Non-negative linear least squares for the few-feature fits of the cost model: normal equations
 * on column-scaled features, solved by Gaussian elimination with partial pivoting; a feature whose
 * coefficient comes out negative is dropped and the rest refitted (a step times a negative
 * coefficient is not a cost).
 */
public final class LeastSquares {
    private LeastSquares() {}

    /** Minimises |X c - y|^2 subject to c >= 0; X is rows x features. */
    public static double[] fitNonNegative(double[][] x, double[] y) {
        int f = x[0].length;
        boolean[] active = new boolean[f];
        Arrays.fill(active, true);
        while (true) {
            double[] c = fit(x, y, active);
            int worst = -1;
            for (int j = 0; j < f; j++) if (active[j] && c[j] < 0 && (worst < 0 || c[j] < c[worst])) worst = j;
            if (worst < 0) return c;
            active[worst] = false;
        }
    }

    private static double[] fit(double[][] x, double[] y, boolean[] active) {
        int f = x[0].length;
        int[] cols = java.util.stream.IntStream.range(0, f).filter(j -> active[j]).toArray();
        int k = cols.length;
        double[] result = new double[f];
        if (k == 0) return result;
        double[] scale = new double[k];
        for (int a = 0; a < k; a++) {
            double s = 0;
            for (double[] row : x) s = Math.max(s, Math.abs(row[cols[a]]));
            scale[a] = s == 0 ? 1 : s;
        }
        double[][] m = new double[k][k + 1];
        for (int r = 0; r < x.length; r++) {
            for (int a = 0; a < k; a++) {
                double xa = x[r][cols[a]] / scale[a];
                for (int b = 0; b < k; b++) m[a][b] += xa * x[r][cols[b]] / scale[b];
                m[a][k] += xa * y[r];
            }
        }
        for (int p = 0; p < k; p++) {
            int piv = p;
            for (int r = p + 1; r < k; r++) if (Math.abs(m[r][p]) > Math.abs(m[piv][p])) piv = r;
            double[] tmp = m[p];
            m[p] = m[piv];
            m[piv] = tmp;
            if (Math.abs(m[p][p]) < 1e-12) continue;
            for (int r = 0; r < k; r++) {
                if (r == p) continue;
                double factor = m[r][p] / m[p][p];
                for (int cidx = p; cidx <= k; cidx++) m[r][cidx] -= factor * m[p][cidx];
            }
        }
        for (int a = 0; a < k; a++) {
            result[cols[a]] = Math.abs(m[a][a]) < 1e-12 ? 0 : m[a][k] / m[a][a] / scale[a];
        }
        return result;
    }
}
