package dev.hangar.contracts;

/**
 * What a run costs, in credits: one credit per CPU-hour, plus memory and GPU time. The gateway
 * reserves the worst case (the whole deadline) against a plan before a run starts; the executor
 * reports the actual cost in {@code meta.cost}; both use this one formula.
 */
public final class Cost {
    static final double PER_CPU_SECOND = 1.0 / 3600;
    static final double PER_GIB_SECOND = 0.1 / 3600;
    static final double PER_GPU_SECOND = 10.0 / 3600;

    private Cost() {}

    public static double of(ProcessorSpec.Resources r, double seconds) {
        double perSecond = r.cpu() * PER_CPU_SECOND + (r.memoryMb() / 1024.0) * PER_GIB_SECOND + r.gpus() * PER_GPU_SECOND;
        return Math.round(perSecond * seconds * 1_000_000) / 1_000_000.0;
    }

    /** The most a run with these limits can cost: its whole deadline. */
    public static double ceiling(ProcessorSpec.Resources r) {
        return of(r, r.timeoutSeconds());
    }
}
