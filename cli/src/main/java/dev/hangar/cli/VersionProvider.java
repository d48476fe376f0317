package dev.hangar.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} on every command, and {@code hangar version}: the CLI version and the git
 * commit the build wrote into {@code version.properties} (the commit is absent when the CLI was
 * built outside a git checkout, e.g. from a source archive).
 */
public final class VersionProvider implements IVersionProvider {
    private static final Properties BUILD = load();

    /** The CLI version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        String v = filtered("version");
        if (v != null) {
            return v;
        }
        v = VersionProvider.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    /** The 7-character commit the CLI was built from, or null when it was not built from git. */
    public static String commit() {
        String c = filtered("commit");
        return c == null || !c.matches("[0-9a-f]{7,40}") ? null : c.substring(0, 7);
    }

    @Override
    public String[] getVersion() {
        String commit = commit();
        return new String[] {"hangar " + version() + " (commit " + (commit == null ? "unknown" : commit) + ", Java "
                + Runtime.version() + ")"};
    }

    /** A value the build filled in; an unfilled {@code ${...}} placeholder counts as absent. */
    private static String filtered(String key) {
        String v = BUILD.getProperty(key, "").strip();
        return v.isEmpty() || v.startsWith("${") ? null : v;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no build information: version() falls back to the manifest, commit() to null
        }
        return p;
    }
}
