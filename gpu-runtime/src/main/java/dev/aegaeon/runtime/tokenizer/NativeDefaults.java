package dev.aegaeon.runtime.tokenizer;

/**
 * Process-wide defaults the tokenizer libraries read at first use; each applies only when
 * neither the environment nor a system property already sets it.
 */
final class NativeDefaults {
    private NativeDefaults() {}

    static void apply() {
        // DJL must use the CPU build of its native library bundled in its jar, never download
        // one (it would look for a CUDA build on a GPU machine).
        setIfAbsent("RUST_FLAVOR", "cpu");
        setIfAbsent("ai.djl.offline", "true");
        // DJL and Jinjava log through SLF4J; without a provider SLF4J prints three warning
        // lines on stderr that a command-line user should not see.
        setIfAbsent("slf4j.internal.verbosity", "ERROR");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getenv(key) == null && System.getProperty(key) == null) System.setProperty(key, value);
    }
}
