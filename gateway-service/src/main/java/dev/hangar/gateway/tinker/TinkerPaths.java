package dev.hangar.gateway.tinker;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Training;
import java.util.regex.Pattern;

/** A session's checkpoint path, {@code hangar://<session>/<weights|sampler_weights>/<name>}, as the session processor names them. */
record TinkerPaths(String session, String kind, String name) {
    private static final Pattern PATH = Pattern.compile("hangar://([^/]+)/(weights|sampler_weights)/([A-Za-z0-9][A-Za-z0-9._-]{0,63})");

    static TinkerPaths parse(String path) {
        var m = path == null ? null : PATH.matcher(path);
        if (m == null || !m.matches()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "model_path '" + path
                    + "' must be hangar://<session>/<weights|sampler_weights>/<name>");
        }
        return new TinkerPaths(Training.requireSessionId(m.group(1)), m.group(2), m.group(3));
    }
}
