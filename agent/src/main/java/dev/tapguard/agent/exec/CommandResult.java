package dev.tapguard.agent.exec;

import java.time.Duration;

/** How a process ended: exit code (-1 when it timed out or could not start), its output, and how long it took. */
public record CommandResult(Command command, int exitCode, String stdout, String stderr, Duration elapsed,
                            boolean timedOut) {

    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }

    /** This result, or a CommandFailedException describing it. */
    public CommandResult orThrow() {
        if (!ok()) {
            throw new CommandFailedException(this);
        }
        return this;
    }

    /** A one-line explanation for logs and errors. */
    public String describe() {
        String why = timedOut ? "timed out after " + elapsed.toMillis() + " ms" : "exit " + exitCode;
        String err = stderr == null ? "" : stderr.strip();
        if (err.length() > 600) {
            err = err.substring(0, 600) + "...";
        }
        return command.display() + ": " + why + (err.isEmpty() ? "" : ": " + err.replace('\n', ' '));
    }
}
