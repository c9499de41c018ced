package dev.aegaeon.runtime.backend;

/**
 * A {@link StepLayout} made resident on the backend (uploaded once per step for CUDA). Valid until the
 * next {@link Backend#beginStep} on the same backend; ops of one step all take the same instance.
 */
public interface StepInputs {

    StepLayout layout();
}
