package dev.hangar.executor.service;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.ProcessorSpec;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The room a pool executor's host has for runs (docs/remote.md, Capacity): CPUs, memory and
 * GPUs, each run holding its limits while it runs. The executor's concurrency limit (the
 * {@code hangar-runs} worker pool) bounds how many commands it holds; this bounds what they may
 * take together. A command that does not fit now waits, and while one waits the executor stops
 * fetching ({@link Fetching#pause}) so that no further record is taken that it could not run; the
 * end of a run frees its share and fetching resumes once nothing waits. A run that can never fit
 * (more than the host has, e.g. a GPU on a host without one) is refused with ERR_NO_CAPACITY.
 */
public final class Capacity {
    /** Stops and restarts taking records (the commands channel's consumer). */
    public interface Fetching {
        void pause();

        void resume();

        Fetching NONE = new Fetching() {
            @Override
            public void pause() {
            }

            @Override
            public void resume() {
            }
        };
    }

    /** What a run takes while it runs. */
    public record Needs(double cpus, long memoryMb, int gpus) {
        public static final Needs NONE = new Needs(0, 0, 0);

        public static Needs of(ProcessorSpec.Resources r) {
            return new Needs(r.cpu(), r.memoryMb(), r.gpus());
        }
    }

    /** A run's share, given back once by {@link #close}. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private static final Slot NOTHING = () -> { };
    private static final double EPSILON = 1e-9;

    private final boolean enforced;
    private final Needs total;
    private final String where;
    private final Duration recheck;
    private Fetching fetching = Fetching.NONE;
    private double cpus;
    private long memoryMb;
    private int gpus;
    private int waiting;
    private boolean paused;

    /** {@code where} names the pool and host in refusals, e.g. {@code "pool 'gpu-a' (executor gpu-a-1)"}. */
    public Capacity(boolean enforced, Needs total, String where, Duration recheck) {
        this.enforced = enforced;
        this.total = total;
        this.where = where;
        this.recheck = recheck;
        this.cpus = total.cpus();
        this.memoryMb = total.memoryMb();
        this.gpus = total.gpus();
    }

    /** No limit: a default executor (its concurrency limit alone applies). */
    public static Capacity unlimited() {
        return new Capacity(false, Needs.NONE, "this executor", Duration.ofSeconds(1));
    }

    public synchronized void fetchWith(Fetching fetching) {
        this.fetching = fetching;
    }

    public boolean enforced() {
        return enforced;
    }

    public Needs total() {
        return total;
    }

    /** Whether fetching is paused now (for tests). */
    public synchronized boolean paused() {
        return paused;
    }

    /** What is free now (for metrics and tests). */
    public synchronized Needs free() {
        return new Needs(cpus, memoryMb, gpus);
    }

    /** Throws ERR_NO_CAPACITY when the run can never fit here, naming what it asks and what the host has. */
    public void requireFits(Needs needs) {
        if (!enforced) {
            return;
        }
        if (needs.gpus() > total.gpus()) {
            throw new HangarException(ErrorCode.ERR_NO_CAPACITY, total.gpus() == 0
                    ? "the run needs " + needs.gpus() + " GPU(s) and " + where + " has no GPU (hangar.executor.capacity.gpus=0); "
                            + "send it to a pool whose hosts have GPUs"
                    : "the run needs " + needs.gpus() + " GPU(s) and " + where + " has only " + total.gpus());
        }
        if (needs.cpus() > total.cpus() + EPSILON || needs.memoryMb() > total.memoryMb()) {
            throw new HangarException(ErrorCode.ERR_NO_CAPACITY, "the run needs " + needs.cpus() + " CPU(s) and "
                    + needs.memoryMb() + " MiB; " + where + " has " + total.cpus() + " CPU(s) and " + total.memoryMb()
                    + " MiB in all (hangar.executor.capacity.*)");
        }
    }

    /**
     * Takes the run's share, waiting (and pausing the fetching) while it does not fit; returns at
     * once, taking nothing, when it can never fit (the attempt then refuses it), when
     * {@code gone} says the run was canceled meanwhile, or when the executor is shutting down
     * (interrupted: the run then goes on like the runs in flight, rather than the record being
     * nacked into the dead-letter topic).
     */
    public Slot acquire(Needs needs, BooleanSupplier gone) {
        if (!enforced || !fitsAtAll(needs)) {
            return NOTHING;
        }
        synchronized (this) {
            waiting++;
            try {
                while (!fitsNow(needs)) {
                    if (gone.getAsBoolean()) {
                        return NOTHING;
                    }
                    if (!paused) {
                        paused = true;
                        fetching.pause();
                    }
                    try {
                        wait(recheck.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return NOTHING;
                    }
                }
                cpus -= needs.cpus();
                memoryMb -= needs.memoryMb();
                gpus -= needs.gpus();
            } finally {
                waiting--;
            }
        }
        return new Slot() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (Capacity.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    cpus += needs.cpus();
                    memoryMb += needs.memoryMb();
                    gpus += needs.gpus();
                    Capacity.this.notifyAll();
                    if (waiting == 0 && paused) {
                        paused = false;
                        fetching.resume();
                    }
                }
            }
        };
    }

    private boolean fitsAtAll(Needs needs) {
        try {
            requireFits(needs);
            return true;
        } catch (HangarException e) {
            return false;
        }
    }

    private boolean fitsNow(Needs needs) {
        return needs.cpus() <= cpus + EPSILON && needs.memoryMb() <= memoryMb && needs.gpus() <= gpus;
    }
}
