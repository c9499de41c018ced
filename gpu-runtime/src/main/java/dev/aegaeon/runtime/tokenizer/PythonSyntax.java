package dev.aegaeon.runtime.tokenizer;

/**
 * Rewrites the few Python-only expression forms real chat templates use into Jinjava syntax
 * before parsing. Today: the reversing slice {@code x[::-1]} (Qwen3's template iterates
 * {@code messages[::-1]}), which Jinjava's parser rejects, becomes {@code x|reverse|list}.
 */
final class PythonSyntax {
    private PythonSyntax() {}

    static String rewrite(String template) {
        return template.replace("[::-1]", "|reverse|list");
    }
}
