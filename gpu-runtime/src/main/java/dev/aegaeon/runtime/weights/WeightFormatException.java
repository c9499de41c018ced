package dev.aegaeon.runtime.weights;

/** Corrupt or incomplete weights. The message always names the file and, where known, the tensor. */
public class WeightFormatException extends dev.aegaeon.runtime.model.ModelLoadException {
    public WeightFormatException(String message) { super(message); }

    public WeightFormatException(String message, Throwable cause) { super(message, cause); }
}
