package dev.aegaeon.runtime.model;

/** A config.json / generation_config.json that cannot describe a model we run. The message names the file and the field. */
public class ModelConfigException extends ModelLoadException {
    public ModelConfigException(String message) { super(message); }

    public ModelConfigException(String message, Throwable cause) { super(message, cause); }
}
