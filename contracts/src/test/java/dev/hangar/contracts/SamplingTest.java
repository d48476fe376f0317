package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sampling.Request's rules: defaults filled in, and each way to be wrong named by its field. */
class SamplingTest {

    static Sampling.Request parse(String json) {
        return Json.read(json, Sampling.Request.class);
    }

    @Test
    void defaultsAreTinkers() {
        var r = parse("{\"base_model\":\"hangar/tiny-lm\",\"prompt_text\":\"Hi\"}").validated(32, 255);
        assertEquals(new Sampling.Params(32, 1.0, -1, 1.0, null, null), r.samplingParams());
        assertEquals(1, r.numSamples());
        assertEquals(false, r.promptLogprobs());
        assertEquals(0, r.topkPromptLogprobs());
        assertNull(r.promptTokens());
    }

    @Test
    void chunksJoinInOrder() {
        var r = parse("{\"base_model\":\"m\",\"prompt\":{\"chunks\":[{\"type\":\"encoded_text\",\"tokens\":[1,2]},"
                + "{\"type\":\"encoded_text\",\"tokens\":[3]}]},\"sampling_params\":{\"stop\":[\"a\",\"b\"]}}").validated(8, 255);
        assertEquals(List.of(1, 2, 3), r.promptTokens());
        assertEquals(8, r.samplingParams().maxTokens());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"prompt_text\":\"x\"}|/base_model",
            "{\"base_model\":\"m\"}|/prompt",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"prompt\":{\"chunks\":[]}}|/prompt",
            "{\"base_model\":\"m\",\"prompt\":{\"chunks\":[]}}|/prompt/chunks",
            "{\"base_model\":\"m\",\"prompt\":{\"chunks\":[{\"type\":\"image\",\"tokens\":[1]}]}}|/prompt/chunks/0/type",
            "{\"base_model\":\"m\",\"prompt\":{\"chunks\":[{\"type\":\"encoded_text\",\"tokens\":[-1]}]}}|/prompt/chunks/0/tokens",
            "{\"base_model\":\"m\",\"prompt_text\":\"\"}|/prompt_text",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"max_tokens\":0}}|/sampling_params/max_tokens",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"max_tokens\":256}}|/sampling_params/max_tokens",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"temperature\":-0.5}}|/sampling_params/temperature",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"top_k\":0}}|/sampling_params/top_k",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"top_p\":0}}|/sampling_params/top_p",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"top_p\":1.5}}|/sampling_params/top_p",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"stop\":\"\"}}|/sampling_params/stop",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"stop\":[\"a\",2]}}|/sampling_params/stop",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"stop\":[-2]}}|/sampling_params/stop",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"sampling_params\":{\"stop\":7}}|/sampling_params/stop",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"num_samples\":0}|/num_samples",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"num_samples\":17}|/num_samples",
            "{\"base_model\":\"m\",\"prompt_text\":\"x\",\"topk_prompt_logprobs\":21}|/topk_prompt_logprobs",
            "{\"model_path\":\"hangar://r-1/adapters/x\",\"prompt_text\":\"x\"}|/model_path",
            "{\"model_path\":\"hangar://r-1/weights/final\",\"prompt_text\":\"x\"}|/model_path",
    })
    void eachWayToBeWrongNamesItsField(String json, String field) {
        var e = assertThrows(HangarException.class, () -> parse(json).validated(32, 255));
        assertEquals(ErrorCode.ERR_SAMPLE_INVALID, e.code());
        assertEquals(List.of(field), e.errors().stream().map(Problem.FieldError::path).toList(), e.getMessage());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void unknownFieldsAreRefused() {
        var e = assertThrows(HangarException.class, () -> parse("{\"base_model\":\"m\",\"prompt_text\":\"x\",\"model\":\"p\"}"));
        assertEquals(ErrorCode.ERR_BAD_REQUEST, e.code());
    }
}
