package dev.hangar.gateway.checkpoints;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.gateway.sampling.ModelsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.TreeSet;

/**
 * Base model id → the processor that trains LoRAs on it, from
 * {@code hangar.gateway.models."<id>".trainer} ({@link ModelsConfig}, next to the model's sampler).
 */
@ApplicationScoped
public class BaseModels {
    private final ModelsConfig config;

    public BaseModels(ModelsConfig config) {
        this.config = config;
    }

    /** The trainer of {@code baseModel}, or ERR_OPTION_INVALID naming the configured ones. */
    public ProcessorRef trainer(String baseModel) {
        if (baseModel == null || baseModel.isBlank()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "base_model is required (one of " + known() + ")");
        }
        var model = config.byId().get(baseModel);
        if (model == null || model.trainer().isEmpty()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "no trainer is configured for base model '" + baseModel
                    + "'; known base models: " + known());
        }
        return ProcessorRef.parse(model.trainer().get());
    }

    /** The mode a model's runs take when a request names none ({@code hangar.gateway.models."<id>".mode}, default real). */
    public dev.hangar.contracts.Mode mode(String baseModel) {
        var model = config.byId().get(baseModel);
        return model == null ? dev.hangar.contracts.Mode.REAL : model.mode();
    }

    private String known() {
        var names = new TreeSet<String>();
        config.byId().forEach((id, m) -> m.trainer().ifPresent(t -> names.add(id)));
        return names.isEmpty() ? "none (set hangar.gateway.models.\"<id>\".trainer)" : String.join(", ", names);
    }
}
