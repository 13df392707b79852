package dev.tapguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tapguard} command. */
@Command(name = "tapguard", mixinStandardHelpOptions = true, version = "tapguard 0.1.0",
        description = "Security groups for VM ports on Linux hosts: Neutron's API and iptables_hybrid layout.",
        subcommands = {RenderCommand.class, ServerCommand.class, AgentCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Tapguard's exit codes: 2 for bad input or usage. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        DiagnoseCommands.register(cl);
        cl.setExitCodeExceptionMapper(e -> 2);
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("tapguard: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return 2;
        });
        return cl;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
