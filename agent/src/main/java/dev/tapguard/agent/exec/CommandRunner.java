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
}
