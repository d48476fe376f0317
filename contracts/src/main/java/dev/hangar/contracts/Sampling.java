package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/sample} and {@code GET /v1/models}: Tinker's sampling shapes (SampleRequest,
 * SamplingParams, ModelInput with {@code encoded_text} chunks, SampleResponse), plus what Hangar
 * adds: {@code prompt_text} (a text prompt the model's tokenizer encodes, BOS first), each
 * sequence's decoded {@code text}, and the {@code run_id} / {@code stream_url} of the run that
 * sampled, whose WebSocket streams the first sequence's tokens. The rules are here, once, so
 * the gateway and the CLI refuse the same requests with the same words (docs/sampling.md).
 */
public final class Sampling {
    /** Sequences one request may ask for. */
    public static final int MAX_NUM_SAMPLES = 16;
    /** The most {@code topk_prompt_logprobs} per position. */
    public static final int MAX_TOPK_PROMPT_LOGPROBS = 20;
    /** The most stop strings or stop token ids. */
    public static final int MAX_STOP = 16;
    /** The most prompt tokens (or prompt_text characters) a request carries. */
    public static final int MAX_PROMPT = 65_536;
    public static final String ENCODED_TEXT = "encoded_text";

    private Sampling() {}

    /**
     * Tinker's SampleRequest: {@code base_model} and/or {@code model_path} (a sampler checkpoint,
     * {@code hangar://<run_id>/sampler_weights/<id>}, sampled as its base model plus that adapter),
     * {@code prompt} (a ModelInput) or Hangar's {@code prompt_text} (exactly one),
     * {@code sampling_params}, {@code num_samples} (1), {@code prompt_logprobs} (false),
     * {@code topk_prompt_logprobs} (0).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Request(String baseModel, ModelInput prompt, String promptText, Params samplingParams,
                          Integer numSamples, Boolean promptLogprobs, Integer topkPromptLogprobs, String modelPath) {

        /** A request of a base model (no {@code model_path}). */
        public Request(String baseModel, ModelInput prompt, String promptText, Params samplingParams,
                       Integer numSamples, Boolean promptLogprobs, Integer topkPromptLogprobs) {
            this(baseModel, prompt, promptText, samplingParams, numSamples, promptLogprobs, topkPromptLogprobs, null);
        }

        /**
         * This request with every default filled in ({@code max_tokens} = {@code defaultMaxTokens}),
         * or {@link ErrorCode#ERR_SAMPLE_INVALID} listing each field that is wrong.
         */
        public Request validated(int defaultMaxTokens, int maxTokensLimit) {
            var errors = new ArrayList<Problem.FieldError>();
            if (modelPath != null) {
                try {
                    if (CheckpointPath.parse(modelPath).kind() != CheckpointPath.Kind.SAMPLER_WEIGHTS) {
                        errors.add(new Problem.FieldError("/model_path", "must be a sampler checkpoint, "
                                + "hangar://<run_id>/sampler_weights/<checkpoint_id> (weights are training state)"));
                    }
                } catch (HangarException e) {
                    errors.add(new Problem.FieldError("/model_path", e.getMessage()));
                }
            } else if (baseModel == null || baseModel.isBlank()) {
                errors.add(new Problem.FieldError("/base_model", "is required (the id of a base model, GET /v1/models) "
                        + "unless model_path names a sampler checkpoint"));
            }
            if ((prompt == null) == (promptText == null)) {
                errors.add(new Problem.FieldError("/prompt", "give exactly one of prompt (a ModelInput of encoded_text chunks) "
                        + "and prompt_text (text)"));
            } else if (prompt != null) {
                prompt.check(errors);
            } else if (promptText.isEmpty() || promptText.length() > MAX_PROMPT) {
                errors.add(new Problem.FieldError("/prompt_text", "must be 1 to " + MAX_PROMPT + " characters"));
            }
            Params params = (samplingParams == null ? Params.DEFAULT : samplingParams).withDefaults(defaultMaxTokens);
            params.check(maxTokensLimit, errors);
            int n = numSamples == null ? 1 : numSamples;
            if (n < 1 || n > MAX_NUM_SAMPLES) {
                errors.add(new Problem.FieldError("/num_samples", "must be 1 to " + MAX_NUM_SAMPLES + ", got " + n));
            }
            int k = topkPromptLogprobs == null ? 0 : topkPromptLogprobs;
            if (k < 0 || k > MAX_TOPK_PROMPT_LOGPROBS) {
                errors.add(new Problem.FieldError("/topk_prompt_logprobs", "must be 0 to " + MAX_TOPK_PROMPT_LOGPROBS + ", got " + k));
            }
            if (!errors.isEmpty()) {
                throw new HangarException(ErrorCode.ERR_SAMPLE_INVALID, "the sampling request is not valid: "
                        + String.join("; ", errors.stream().map(e -> e.path() + " " + e.message()).toList()), errors);
            }
            return new Request(baseModel, prompt, promptText, params, n, Boolean.TRUE.equals(promptLogprobs), k, modelPath);
        }

        /** The prompt's token ids (every chunk's, in order), or null for a text prompt. */
        @JsonIgnore
        public List<Integer> promptTokens() {
            return prompt == null ? null : prompt.tokens();
        }
    }

    /** Tinker's ModelInput: a list of chunks; Hangar's models take {@code encoded_text} chunks only. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelInput(List<Chunk> chunks) {
        public static ModelInput ofTokens(List<Integer> tokens) {
            return new ModelInput(List.of(new Chunk(ENCODED_TEXT, List.copyOf(tokens))));
        }

        @JsonIgnore
        public List<Integer> tokens() {
            return chunks == null ? List.of() : chunks.stream().flatMap(c -> c.tokens().stream()).toList();
        }

        void check(List<Problem.FieldError> errors) {
            if (chunks == null || chunks.isEmpty()) {
                errors.add(new Problem.FieldError("/prompt/chunks", "must hold at least one encoded_text chunk"));
                return;
            }
            int total = 0;
            for (int i = 0; i < chunks.size(); i++) {
                Chunk c = chunks.get(i);
                String at = "/prompt/chunks/" + i;
                if (c == null || !ENCODED_TEXT.equals(c.type())) {
                    errors.add(new Problem.FieldError(at + "/type", "must be \"encoded_text\" (images are not supported)"));
                } else if (c.tokens() == null || c.tokens().isEmpty()) {
                    errors.add(new Problem.FieldError(at + "/tokens", "must hold at least one token id"));
                } else if (c.tokens().stream().anyMatch(t -> t == null || t < 0)) {
                    errors.add(new Problem.FieldError(at + "/tokens", "token ids must be integers >= 0"));
                } else {
                    total += c.tokens().size();
                }
            }
            if (total > MAX_PROMPT) {
                errors.add(new Problem.FieldError("/prompt", "holds " + total + " tokens; at most " + MAX_PROMPT));
            }
        }
    }

    /** One ModelInput chunk: {@code {"type":"encoded_text","tokens":[…]}}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Chunk(String type, List<Integer> tokens) {}

    /**
     * Tinker's SamplingParams. {@code temperature} 1.0 (0 = greedy), {@code top_k} -1 (off),
     * {@code top_p} 1.0, {@code seed} none (random), {@code stop}: absent = stop at EOS; a
     * string, a list of strings or a list of token ids; {@code []} = never stop before
     * {@code max_tokens}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Params(Integer maxTokens, Double temperature, Integer topK, Double topP, Long seed, JsonNode stop) {
        static final Params DEFAULT = new Params(null, null, null, null, null, null);

        Params withDefaults(int defaultMaxTokens) {
            return new Params(maxTokens == null ? defaultMaxTokens : maxTokens, temperature == null ? 1.0 : temperature,
                    topK == null ? -1 : topK, topP == null ? 1.0 : topP, seed, stop == null || stop.isNull() ? null : stop);
        }

        void check(int maxTokensLimit, List<Problem.FieldError> errors) {
            if (maxTokens < 1 || maxTokens > maxTokensLimit) {
                errors.add(new Problem.FieldError("/sampling_params/max_tokens", "must be 1 to " + maxTokensLimit + ", got " + maxTokens));
            }
            if (!Double.isFinite(temperature) || temperature < 0) {
                errors.add(new Problem.FieldError("/sampling_params/temperature", "must be >= 0 (0 = greedy), got " + temperature));
            }
            if (topK != -1 && topK < 1) {
                errors.add(new Problem.FieldError("/sampling_params/top_k", "must be -1 (off) or >= 1, got " + topK));
            }
            if (!(topP > 0 && topP <= 1)) {
                errors.add(new Problem.FieldError("/sampling_params/top_p", "must be in (0, 1], got " + topP));
            }
            String stopError = stopError(stop);
            if (stopError != null) {
                errors.add(new Problem.FieldError("/sampling_params/stop", stopError));
            }
        }

        /** Why {@code stop} is not a string, a list of strings or a list of token ids, or null when it is. */
        static String stopError(JsonNode stop) {
            if (stop == null || (stop.isTextual() && !stop.asText().isEmpty())) {
                return null;
            }
            String form = "must be a non-empty string, a list of non-empty strings or a list of token ids >= 0 (at most "
                    + MAX_STOP + "), not ";
            if (!stop.isArray()) {
                return form + (stop.isTextual() ? "an empty string" : stop.getNodeType().toString().toLowerCase());
            }
            if (stop.size() > MAX_STOP) {
                return form + stop.size() + " entries";
            }
            boolean strings = true;
            boolean ids = true;
            for (JsonNode s : stop) {
                strings &= s.isTextual() && !s.asText().isEmpty();
                ids &= s.isIntegralNumber() && s.canConvertToInt() && s.asInt() >= 0;
            }
            return strings || ids ? null : form + "a mix or an empty entry: " + stop;
        }
    }

    /**
     * One sampled sequence: the generated {@code tokens} (a stop token stays in), the
     * {@code logprobs} of each under the distribution it was drawn from, {@code stop_reason}
     * {@code "stop"} or {@code "length"}, and (Hangar) the decoded {@code text}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Sequence(List<Integer> tokens, List<Double> logprobs, String stopReason, String text) {}

    /**
     * Tinker's SampleResponse ({@code type} {@code "sample"}; {@code prompt_logprobs} and
     * {@code topk_prompt_logprobs} null unless asked for, their first entry null), plus the
     * sampling run's {@code run_id} and {@code stream_url}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Response(List<Sequence> sequences, List<Double> promptLogprobs, JsonNode topkPromptLogprobs,
                           String type, String runId, String streamUrl) {
        public static final String TYPE = "sample";
    }

    /** A base model: its id and the processor ref that samples from it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BaseModel(String id, String sampler, String description) {}

    /** {@code GET /v1/models}: the base models of this installation, by id. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BaseModels(List<BaseModel> models) {}
}
