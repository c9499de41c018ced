package dev.aegaeon.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Entry point of {@code aegaeon-runtime.jar}. The Vector API is an incubator module that {@code java
 * -jar} does not resolve by default, so when it is missing this class starts the same java again with
 * {@code --add-modules jdk.incubator.vector} and passes IO and the exit code through. It must not touch
 * any class that uses the Vector API before that check.
 */
public final class RuntimeCli {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String RELAUNCHED = "aegaeon.relaunched";

    private RuntimeCli() {}

    public static void main(String[] args) throws Exception {
        // DJL's tokenizer pulls in SLF4J without a provider; its three-line notice is noise on a CLI
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "ERROR");
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            System.exit(CliCommands.run(args, System.out, System.err));
        }
        if (Boolean.getBoolean(RELAUNCHED)) {
            System.err.println("error: the JVM does not provide module " + VECTOR_MODULE + " (a JDK 25 is required)");
            System.exit(1);
        }
        System.exit(relaunch(args));
    }

    private static int relaunch(String[] args) throws Exception {
        Optional<String> javaCommand = ProcessHandle.current().info().command();
        if (javaCommand.isEmpty()) {
            System.err.println("error: cannot find the running java executable; run with --add-modules " + VECTOR_MODULE);
            return 1;
        }
        List<String> command = new ArrayList<>();
        command.add(javaCommand.get());
        command.add("--add-modules");
        command.add(VECTOR_MODULE);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-D" + RELAUNCHED + "=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RuntimeCli.class.getName());
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).inheritIO().start();
        return child.waitFor();
    }
}
