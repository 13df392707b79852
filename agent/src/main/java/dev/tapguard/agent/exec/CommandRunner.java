package dev.tapguard.agent.exec;

/**
 * The one way the agent runs a process. Every iptables, ipset, conntrack, ip, ovs-* and ethtool call goes through
 * it, so tests can see (or fake) exactly what the agent does to the host.
 */
public interface CommandRunner {

    /** Runs the command to completion (or its timeout); never throws for a non-zero exit, see {@link CommandResult#ok}. */
    CommandResult run(Command command);

    /** Runs it and throws {@link CommandFailedException} unless it exited 0. */
    default CommandResult check(Command command) {
        return run(command).orThrow();
    }

    default CommandResult check(String... argv) {
        return check(Command.of(argv));
    }

    /**
     * Starts the command and leaves it running, its stdin, stdout and stderr open to the caller (lab peers, live
     * captures); the command's timeout does not apply. Runners that only run to completion do not support it.
     */
    default RunningCommand start(Command command) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot leave processes running");
    }
}
