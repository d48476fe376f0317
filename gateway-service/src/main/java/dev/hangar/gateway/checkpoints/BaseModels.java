package dev.hangar.gateway.checkpoints;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.ProcessorRef;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.TreeSet;

/**
 * Base model id → the processor that trains LoRAs on it, from
 * {@code hangar.gateway.models."<id>".trainer} (next to the sampler ref the sampling code reads
 * under the same model key).
 */
@ApplicationScoped
public class BaseModels {
    private final BaseModelsConfig config;

    public BaseModels(BaseModelsConfig config) {
        this.config = config;
    }

    /** The trainer of {@code baseModel}, or ERR_OPTION_INVALID naming the configured ones. */
    public ProcessorRef trainer(String baseModel) {
        if (baseModel == null || baseModel.isBlank()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "base_model is required (one of " + known() + ")");
        }
        var model = config.models().get(baseModel);
        if (model == null || model.trainer().isEmpty()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "no trainer is configured for base model '" + baseModel
                    + "'; known base models: " + known());
        }
        return ProcessorRef.parse(model.trainer().get());
    }

    private String known() {
        var names = new TreeSet<String>();
        config.models().forEach((id, m) -> m.trainer().ifPresent(t -> names.add(id)));
        return names.isEmpty() ? "none (set hangar.gateway.models.\"<id>\".trainer)" : String.join(", ", names);
    }
}
