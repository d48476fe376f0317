package dev.hangar.contracts;

/**
 * Artefact paths as users see them ({@code /artifacts/outputs/...}) and the object keys they are
 * stored under: {@code /artifacts/} is the root of the artefacts bucket.
 */
public final class ArtifactPath {
    private ArtifactPath() {}

    /** The bucket key for an artefact path; refuses paths outside {@code /artifacts/} or with dot segments. */
    public static String toKey(String path) {
        if (path == null || !path.startsWith(WritePrefix.ROOT) || path.length() == WritePrefix.ROOT.length()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "artefact path '" + path + "' must start with "
                    + WritePrefix.ROOT + " and name an object");
        }
        String key = path.substring(WritePrefix.ROOT.length());
        for (String segment : key.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..") || segment.indexOf('\\') >= 0 || segment.indexOf('\0') >= 0) {
                throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "artefact path '" + path + "' has a forbidden segment");
            }
        }
        return key;
    }

    /** The artefact path for a bucket key. */
    public static String fromKey(String key) {
        return WritePrefix.ROOT + key;
    }
}
