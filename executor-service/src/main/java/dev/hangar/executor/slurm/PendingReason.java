package dev.hangar.executor.slurm;

import java.util.Set;

/**
 * Why Slurm keeps a job PENDING, as the run's outcome reads it (Slurm's job reason codes,
 * https://slurm.schedmd.com/job_reason_codes.html). {@link #CAPACITY}: nothing can take the job
 * now (busy or down nodes, a partition or association limit reached): it waits up to the run's
 * capacity deadline, then the run ends {@code ERR_NO_CAPACITY}. {@link #REFUSED}: the job cannot
 * start until someone changes it (a held job, a bad account or QOS, a request beyond the
 * partition's limits): the run ends {@code ERR_ADAPTER_INVOCATION} at once. {@link #OTHER} (a
 * begin time, a dependency, a reason Slurm adds later): it waits like capacity, then ends
 * {@code ERR_ADAPTER_INVOCATION} naming the reason.
 */
enum PendingReason {
    CAPACITY, REFUSED, OTHER;

    private static final Set<String> CAPACITY_REASONS = Set.of("None", "Resources", "Priority", "ReqNodeNotAvail",
            "PartitionNodeLimit", "NodeDown", "PartitionDown", "PartitionInactive", "Licenses", "Reservation", "Cleaning",
            "Prolog", "BurstBufferResources", "BurstBufferStageIn", "PowerUpNodeTimeout", "JobArrayTaskLimit",
            "AccountingPolicy");
    private static final Set<String> REFUSED_REASONS = Set.of("InvalidAccount", "InvalidQOS", "AccountNotAllowed",
            "QOSNotAllowed", "BadConstraints", "PartitionTimeLimit", "PartitionConfig", "DependencyNeverSatisfied",
            "JobHeldAdmin", "JobHeldUser", "JobHoldMaxRequeue", "launch_failed_requeued_held", "SystemFailure",
            "JobLaunchFailure", "InactiveLimit", "FrontEndDown");

    static PendingReason of(String reason) {
        if (reason == null || reason.isBlank()) {
            return CAPACITY;
        }
        String code = reason.strip().split("[ ,:]", 2)[0]; // "ReqNodeNotAvail, UnavailableNodes:node1"
        if (CAPACITY_REASONS.contains(code) || code.startsWith("Assoc") || code.startsWith("QOS") || code.startsWith("Max")
                || code.startsWith("Nodes")) {
            // AssocGrp*/AssocMax*/QOSGrp*/QOSMax*/Max*PerAccount: a limit is reached until other jobs end
            return REFUSED_REASONS.contains(code) ? REFUSED : CAPACITY;
        }
        return REFUSED_REASONS.contains(code) ? REFUSED : OTHER;
    }
}
