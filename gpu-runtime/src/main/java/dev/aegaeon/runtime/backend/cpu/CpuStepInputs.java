package dev.aegaeon.runtime.backend.cpu;

import dev.aegaeon.runtime.backend.StepInputs;
import dev.aegaeon.runtime.backend.StepLayout;

record CpuStepInputs(StepLayout layout) implements StepInputs {}
