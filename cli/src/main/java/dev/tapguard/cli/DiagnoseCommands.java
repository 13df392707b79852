package dev.tapguard.cli;

import picocli.CommandLine;

/** The diagnosis subcommands: trace, capture-plan, counters, lint. */
final class DiagnoseCommands {
    private DiagnoseCommands() {
    }

    static void register(CommandLine cl) {
        cl.addSubcommand(new TraceCommand());
        cl.addSubcommand(new CapturePlanCommand());
        cl.addSubcommand(new CountersCommand());
        cl.addSubcommand(new LintCommand());
    }
}
