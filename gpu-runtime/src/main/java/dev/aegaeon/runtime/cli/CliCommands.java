package dev.aegaeon.runtime.cli;

import dev.aegaeon.runtime.backend.Backend;
import dev.aegaeon.runtime.backend.Backends;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.Generation;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.SamplingParams;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The {@code logits} and {@code generate} commands; every failure becomes one line and an exit code. */
final class CliCommands {
    private CliCommands() {}

    static final String USAGE = """
            usage:
              logits   --model DIR --tokens 5,17,2 --out FILE [--backend cpu|cuda]
                       writes the logits of every position, little-endian float32 [tokens x vocab]
              generate --model DIR (--tokens IDS | --prompt TEXT | --chat TEXT) --max-tokens N
                       [--temperature T] [--top-p P] [--top-k K] [--seed S] [--backend cpu|cuda]
                       temperature 0 (the default) is greedy
              tokenize   --model DIR --text TEXT [--add-special-tokens true|false]
                       prints the token ids of TEXT, comma-separated (special tokens added by default)
              detokenize --model DIR --ids 5,17,2 [--skip-special-tokens true|false]
                       prints the text of the ids (special tokens kept by default)
            DIR may also be synthetic:<shape>[:<seed>], shapes: %s""".formatted(LoadedModel.SYNTHETIC_SHAPES);

    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "logits", Set.of("model", "tokens", "out", "backend"),
            "generate", Set.of("model", "tokens", "prompt", "chat", "max-tokens", "temperature", "top-p", "top-k",
                    "seed", "backend"),
            "tokenize", Set.of("model", "text", "add-special-tokens"),
            "detokenize", Set.of("model", "ids", "skip-special-tokens"));

    private static final int BLOCK_SIZE = 16;

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        try {
            CliArguments a = CliArguments.parse(args, OPTIONS);
            return switch (a.command()) {
                case "logits" -> logits(a, out);
                case "generate" -> generate(a, out);
                case "tokenize" -> tokenize(a, out);
                case "detokenize" -> detokenize(a, out);
                default -> throw new CliArguments.UsageException("unknown command " + a.command());
            };
        } catch (CliArguments.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (OutOfMemoryError e) {
            err.println("error: out of memory (" + e.getMessage() + "); give java a larger -Xmx or use a smaller model");
            return 1;
        } catch (RuntimeException e) {
            err.println("error: " + message(e));
            return 1;
        }
    }

    private static int logits(CliArguments a, PrintStream out) {
        int[] ids = CliArguments.parseIds(a.require("tokens"));
        Path file = Path.of(a.require("out"));
        try (LoadedModel model = LoadedModel.open(a.require("model"));
             Backend backend = chooseBackend(a, out);
             InferenceEngine engine = new InferenceEngine(model.config(), model.weights(), backend, options(ids.length, null))) {
            float[] logits = engine.promptLogits(ids);
            write(file, logits);
            out.printf(Locale.ROOT, "wrote %d x %d logits to %s%n", ids.length, model.config().vocabSize(), file);
            return 0;
        }
    }

    private static int generate(CliArguments a, PrintStream out) {
        int maxTokens = a.intOption("max-tokens", -1);
        if (maxTokens < 1) throw new CliArguments.UsageException("generate needs --max-tokens N with N >= 1");
        long given = List.of("tokens", "prompt", "chat").stream().filter(k -> a.optional(k).isPresent()).count();
        if (given != 1) throw new CliArguments.UsageException("generate needs exactly one of --tokens, --prompt, --chat");
        try (LoadedModel model = LoadedModel.open(a.require("model"))) {
            int[] prompt = promptIds(a, model);
            SamplingParams params = new SamplingParams(a.floatOption("temperature", 0f), a.intOption("top-k", 0),
                    a.floatOption("top-p", 1f), a.longOption("seed"), maxTokens, model.config().eosTokenIds(), List.of());
            try (Backend backend = chooseBackend(a, out);
                 InferenceEngine engine = new InferenceEngine(model.config(), model.weights(), backend,
                         options(prompt.length + maxTokens, model.tokenizer().orElse(null)))) {
                Generation g = engine.generate(prompt, params);
                out.println("ids: " + Arrays.stream(g.ids()).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
                if (model.tokenizer().isPresent()) out.println("text: " + g.text());
                out.printf(Locale.ROOT, "prefill: %d tokens, %.1f tok/s; decode: %d tokens, %.1f tok/s; finish: %s%n",
                        prompt.length, g.prefillTokensPerSecond(), g.ids().length - 1, g.decodeTokensPerSecond(),
                        g.finishReason().name().toLowerCase(Locale.ROOT));
                return 0;
            }
        }
    }

    private static int tokenize(CliArguments a, PrintStream out) {
        boolean special = booleanOption(a, "add-special-tokens", true);
        try (TextTokenizer tokenizer = tokenizerOf(a.require("model"))) {
            int[] ids = tokenizer.encode(a.require("text"), special);
            out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")));
            return 0;
        }
    }

    private static int detokenize(CliArguments a, PrintStream out) {
        boolean skip = booleanOption(a, "skip-special-tokens", false);
        int[] ids = CliArguments.parseIds(a.require("ids"));
        try (TextTokenizer tokenizer = tokenizerOf(a.require("model"))) {
            out.println(tokenizer.decode(ids, skip));
            return 0;
        }
    }

    private static TextTokenizer tokenizerOf(String model) {
        Path dir = Path.of(model);
        if (!java.nio.file.Files.isRegularFile(dir.resolve(TextTokenizer.FILE_NAME)))
            throw new CliArguments.UsageException(model + " has no " + TextTokenizer.FILE_NAME + ": tokenize and detokenize need a model directory with one");
        return TextTokenizer.load(dir);
    }

    private static boolean booleanOption(CliArguments a, String key, boolean fallback) {
        String v = a.optional(key).orElse(null);
        if (v == null) return fallback;
        if (v.equals("true")) return true;
        if (v.equals("false")) return false;
        throw new CliArguments.UsageException("--" + key + " must be true or false, got '" + v + "'");
    }

    private static int[] promptIds(CliArguments a, LoadedModel model) {
        if (a.optional("tokens").isPresent()) return CliArguments.parseIds(a.require("tokens"));
        TextCodec tokenizer = model.tokenizer().orElseThrow(() -> new IllegalArgumentException(
                "model " + model.description() + " has no tokenizer (tokenizer.json); pass --tokens instead"));
        return a.optional("prompt").isPresent() ? tokenizer.encode(a.require("prompt")) : tokenizer.encodeChat(a.require("chat"));
    }

    private static Backend chooseBackend(CliArguments a, PrintStream out) {
        Backends.Choice choice = Backends.choose(a.optional("backend"));
        out.println("backend: " + choice.describe());
        return choice.provider().create();
    }

    /** KV room for exactly one sequence of {@code tokens} tokens. */
    private static EngineOptions options(int tokens, dev.aegaeon.runtime.engine.TokenDecoder decoder) {
        return new EngineOptions(BLOCK_SIZE, (tokens + BLOCK_SIZE - 1) / BLOCK_SIZE + 1, decoder);
    }

    private static void write(Path file, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) ch.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (e instanceof UncheckedIOException u && u.getCause() != null && m == null) m = u.getCause().getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
