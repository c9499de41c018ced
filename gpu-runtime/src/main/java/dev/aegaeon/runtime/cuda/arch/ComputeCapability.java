package dev.aegaeon.runtime.cuda.arch;

/**
 * A GPU's compute capability (major.minor, as cuDeviceGetAttribute reports it) or the capability a
 * kernel image targets ({@code sm_86} is 8.6; {@code compute_80} is PTX for 8.0).
 */
public record ComputeCapability(int major, int minor) implements Comparable<ComputeCapability> {
    /** Ampere: the oldest capability the kernels are written for (mma.sync bf16, ldmatrix, cp.async). */
    public static final ComputeCapability AMPERE = new ComputeCapability(8, 0);
    /** Hopper: the only capability that runs sm_90a code (wgmma). */
    public static final ComputeCapability HOPPER = new ComputeCapability(9, 0);

    public ComputeCapability {
        if (major < 1 || minor < 0 || minor > 9) throw new IllegalArgumentException("no compute capability " + major + "." + minor);
    }

    /** The capability of an image architecture: {@code sm_86}, {@code sm_90a} or {@code compute_80}. */
    public static ComputeCapability ofArch(String arch) {
        String digits = arch.startsWith("sm_") ? arch.substring(3) : arch.startsWith("compute_") ? arch.substring(8) : null;
        if (digits != null && digits.endsWith("a")) digits = digits.substring(0, digits.length() - 1);
        if (digits == null || !digits.matches("[0-9]{2,3}")) throw new IllegalArgumentException("not a CUDA architecture: " + arch);
        int v = Integer.parseInt(digits);
        return new ComputeCapability(v / 10, v % 10);
    }

    @Override
    public int compareTo(ComputeCapability o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    public boolean atLeast(ComputeCapability o) { return compareTo(o) >= 0; }

    @Override
    public String toString() { return major + "." + minor; }
}
