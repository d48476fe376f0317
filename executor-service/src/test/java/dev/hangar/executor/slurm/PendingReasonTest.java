package dev.hangar.executor.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PendingReasonTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "Resources | CAPACITY",
        "Priority | CAPACITY",
        "ReqNodeNotAvail, UnavailableNodes:node1 | CAPACITY",
        "PartitionNodeLimit | CAPACITY",
        "Nodes required for job are DOWN, DRAINED or reserved for jobs in higher priority partitions | CAPACITY",
        "AssocGrpGRES | CAPACITY",
        "QOSMaxGRESPerJob | CAPACITY",
        "MaxGRESPerAccount | CAPACITY",
        "None | CAPACITY",
        "'' | CAPACITY",
        "InvalidAccount | REFUSED",
        "InvalidQOS | REFUSED",
        "QOSNotAllowed | REFUSED",
        "JobHeldAdmin | REFUSED",
        "JobHeldUser | REFUSED",
        "PartitionTimeLimit | REFUSED",
        "BadConstraints | REFUSED",
        "DependencyNeverSatisfied | REFUSED",
        "BeginTime | OTHER",
        "Dependency | OTHER",
        "SomethingNewInSlurm25 | OTHER",
    })
    void readsSlurmsReasonCodes(String reason, PendingReason expected) {
        assertEquals(expected, PendingReason.of(reason));
    }
}
