package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointPathTest {

    @Test
    void parsesBothKindsAndRunIdsWithColons() {
        var p = CheckpointPath.parse("hangar://run:a:b/sampler_weights/step-10");
        assertEquals(new CheckpointPath("run:a:b", CheckpointPath.Kind.SAMPLER_WEIGHTS, "step-10"), p);
        assertEquals("hangar://run:a:b/sampler_weights/step-10", p.toString());
        assertEquals(CheckpointPath.Kind.WEIGHTS, CheckpointPath.parse("hangar://r-1/weights/final").kind());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
        "''|a checkpoint path is required",
        "tinker://r-1/weights/final|must start with hangar://",
        "hangar://r-1/weights|exactly three parts",
        "hangar://r-1/weights/final/extra|exactly three parts",
        "hangar://r-1/adapters/final|the kind must be 'weights' or 'sampler_weights', not 'adapters'",
        "hangar:///weights/final|the run id ''",
        "hangar://r 1/weights/final|the run id 'r 1'",
        "hangar://r-1/weights/|the checkpoint id ''",
        "hangar://r-1/weights/..|the checkpoint id '..'",
        "hangar://r-1/weights/a:b|the checkpoint id 'a:b'"})
    void everyWrongPathSaysWhatIsWrong(String path, String message) {
        var e = assertThrows(HangarException.class, () -> CheckpointPath.parse(path));
        assertEquals(ErrorCode.ERR_CHECKPOINT_PATH_INVALID, e.code());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void trainingStepsAreReadFromTheTrainersProgressMessages() {
        assertEquals(new TrainingRun.Step(3, 20, 2.5), TrainingRun.Step.parse("step 3/20 loss 2.500000"));
        assertEquals(new TrainingRun.Step(1, 1, 1e-5), TrainingRun.Step.parse("step 1/1 loss 1e-05"));
        assertNull(TrainingRun.Step.parse("12 of at most 32 tokens"));
        assertNull(TrainingRun.Step.parse(null));
    }
}
