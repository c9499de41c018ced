package dev.aegaeon.runtime.cuda.arch;

import dev.aegaeon.runtime.cuda.config.CudaOptions.KernelArch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which kernel images a GPU loads, from its compute capability, the driver's CUDA version and the
 * images this jar ships; or why it cannot use them. Pure: no CUDA call.
 *
 * <p>Rules (CUDA's binary compatibility): SASS built for {@code sm_XY} runs on capability X.Z with
 * Z >= Y, never on another major; PTX for {@code compute_XY} is compiled by the driver for any
 * capability >= X.Y; {@code sm_90a} code (the wgmma module) runs on exactly 9.0. So a card takes the
 * SASS of its own capability, else the newest SASS of its major below it, else the newest PTX at or
 * below it (JIT); the sm_90a modules load only on 9.0 in {@link KernelArch#AUTO}. In
 * {@link KernelArch#GENERIC} every card takes the PTX and no sm_90a module: the Ampere code path
 * that A100, A10G, L4 and L40S run, provable on a Hopper card. The driver must support the CUDA
 * version of the nvcc that built the images: its major for SASS (minor-version compatibility), its
 * major.minor for PTX (a driver JIT-compiles only PTX it knows).
 */
public sealed interface KernelImageChoice {

    /** Load {@code arch} images of every module, and the sm_90a modules when {@code hopperModules}. */
    record Load(ComputeCapability device, String arch, boolean hopperModules, KernelArch mode) implements KernelImageChoice {
        /** Whether the driver compiles the images at load (PTX). */
        public boolean jit() { return arch.startsWith("compute_"); }

        /** The wgmma GEMM tiles: only where their sm_90a module loads. */
        public boolean allowsWgmma() { return hopperModules; }

        /** The mma.sync / ldmatrix / cp.async kernels: every capability from 8.0 (all that load). */
        public boolean allowsMmaSync() { return device.atLeast(ComputeCapability.AMPERE); }

        /** The images to load, in manifest order: {@link #arch} per module, plus sm_90a modules when allowed. */
        public List<KernelImageManifest.Image> images(KernelImageManifest manifest) {
            List<KernelImageManifest.Image> out = new ArrayList<>();
            for (String module : manifest.modules()) {
                List<KernelImageManifest.Image> of = manifest.imagesOf(module);
                Optional<KernelImageManifest.Image> specific = of.stream().filter(KernelImageManifest.Image::archSpecific).findFirst();
                if (specific.isPresent() && of.size() == 1) {
                    if (hopperModules && specific.get().capability().equals(device)) out.add(specific.get());
                    continue;
                }
                out.add(of.stream().filter(i -> i.arch().equals(arch)).findFirst().orElseThrow(
                        () -> new IllegalStateException("kernel module " + module + " has no " + arch + " image")));
            }
            return out;
        }

        /** One line for the log: what runs and how. */
        public String describe() {
            return arch + (jit() ? " PTX (JIT-compiled by the driver for " + device + ")" : " SASS")
                    + (hopperModules ? " + sm_90a (wgmma)" : ", wgmma off") + (mode == KernelArch.GENERIC ? " [generic mode]" : "");
        }
    }

    /** This card or driver cannot run the shipped images; {@code need} says what would. */
    record Refuse(String need) implements KernelImageChoice {}

    /** The choice for the images {@code manifest} lists. */
    static KernelImageChoice choose(ComputeCapability device, int driverCudaVersion, KernelImageManifest manifest, KernelArch mode) {
        Set<String> archs = new java.util.TreeSet<>();
        for (KernelImageManifest.Image i : manifest.images()) if (!i.archSpecific()) archs.add(i.arch());
        boolean hasHopper = manifest.images().stream().anyMatch(i -> i.archSpecific() && i.capability().equals(ComputeCapability.HOPPER));
        return choose(device, driverCudaVersion, archs, hasHopper, manifest.nvccCudaVersion(), mode);
    }

    /**
     * The choice among {@code archs} (portable images of every module), {@code sm90a} (whether the
     * sm_90a modules are shipped), for images built by nvcc of CUDA {@code nvccCudaVersion} (13000 is 13.0).
     */
    static KernelImageChoice choose(ComputeCapability device, int driverCudaVersion, Set<String> archs, boolean sm90a,
                                    int nvccCudaVersion, KernelArch mode) {
        if (!device.atLeast(ComputeCapability.AMPERE)) {
            return new Refuse("compute capability " + ComputeCapability.AMPERE + " (Ampere) or newer; the kernels use bf16 mma.sync and cp.async");
        }
        Comparator<String> byCapability = Comparator.comparing(ComputeCapability::ofArch);
        Optional<String> ptx = archs.stream().filter(a -> a.startsWith("compute_"))
                .filter(a -> device.atLeast(ComputeCapability.ofArch(a))).max(byCapability);
        Optional<String> sass = mode == KernelArch.GENERIC ? Optional.empty() : archs.stream().filter(a -> a.startsWith("sm_"))
                .filter(a -> ComputeCapability.ofArch(a).major() == device.major() && device.atLeast(ComputeCapability.ofArch(a)))
                .max(byCapability);
        String arch = sass.or(() -> ptx).orElse(null);
        if (arch == null) {
            return new Refuse(mode == KernelArch.GENERIC ? "a PTX image (generic mode), but this jar ships none"
                    : "an image for compute capability " + device + "; this jar ships " + archs);
        }
        boolean jit = arch.startsWith("compute_");
        int needed = jit ? nvccCudaVersion : nvccCudaVersion / 1000 * 1000;
        if (driverCudaVersion < needed) {
            return new Refuse("a driver for CUDA " + cudaVersion(needed) + " or newer (" + driverRelease(needed)
                    + ") to load " + (jit ? "the PTX" : "the " + arch + " SASS") + " built by nvcc " + cudaVersion(nvccCudaVersion));
        }
        boolean hopper = mode == KernelArch.AUTO && sm90a && device.equals(ComputeCapability.HOPPER);
        return new Load(device, arch, hopper, mode);
    }

    /** 13000 as "13.0". */
    static String cudaVersion(int v) { return v / 1000 + "." + (v % 1000) / 10; }

    /** The Linux driver branch that first supports a CUDA major version (NVIDIA's compatibility table). */
    static String driverRelease(int cudaVersion) {
        return switch (cudaVersion / 1000) {
            case 11 -> "Linux driver 450.80 or newer";
            case 12 -> "Linux driver 525.60 or newer";
            case 13 -> "Linux driver 580 or newer";
            default -> "a driver for CUDA " + cudaVersion / 1000;
        };
    }
}
