package dev.aegaeon.runtime.cuda;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class that needs {@code devices} usable CUDA devices. Where they are missing every test
 * method is reported skipped with the reason, one by one, instead of the class aborting in its
 * {@code @BeforeAll} (which surefire shows as "Tests run: 0", hiding the tests). The class's
 * {@code @BeforeAll} must therefore not fail or assume without CUDA: it checks {@link Condition#usable}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(RequiresCuda.Condition.class)
public @interface RequiresCuda {
    int devices() default 1;

    final class Condition implements ExecutionCondition {
        private static CudaAvailability probed;

        /** Whether {@code devices} CUDA devices are usable (probed once per JVM). */
        static boolean usable(int devices) {
            CudaAvailability a = probe();
            return a.available() && a.deviceCount() >= devices;
        }

        static synchronized CudaAvailability probe() {
            if (probed == null) probed = CudaAvailability.probe();
            return probed;
        }

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isEmpty()) return ConditionEvaluationResult.enabled("each test method decides");
            int devices = context.getRequiredTestClass().getAnnotation(RequiresCuda.class) == null ? 1
                    : context.getRequiredTestClass().getAnnotation(RequiresCuda.class).devices();
            CudaAvailability a = probe();
            if (!a.available()) return ConditionEvaluationResult.disabled("needs a usable CUDA device: " + a.reason());
            if (a.deviceCount() < devices)
                return ConditionEvaluationResult.disabled("needs " + devices + " CUDA devices, found " + a.deviceCount());
            return ConditionEvaluationResult.enabled(a.deviceCount() + " CUDA device(s)");
        }
    }
}
