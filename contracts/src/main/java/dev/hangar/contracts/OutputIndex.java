package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code outputs.json}, written last under a run's write prefix: a reader that sees it sees every
 * output it lists.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record OutputIndex(String executionId, List<OutputRef> outputs) {
    /** The index's file name under the write prefix. */
    public static final String FILE = "outputs.json";

    public OutputIndex {
        outputs = List.copyOf(outputs);
    }

    /** Where the index of outputs written under {@code prefix} lives. */
    public static String pathUnder(String prefix) {
        return prefix + FILE;
    }
}
