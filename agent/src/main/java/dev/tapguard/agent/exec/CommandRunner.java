package dev.tapguard.agent.exec;

import java.time.Duration;
import java.util.List;

/**
 * The one way Tapguard runs a command on the host (iptables-save, ipset, ovs-vsctl...): argv, optional stdin, a
 * timeout. Never a shell.
 */
public interface CommandRunner {

    /** Runs argv to completion or until the timeout; never throws for a failing command, only reports it. */
    Result run(List<String> argv, String stdin, Duration timeout);

    /** Exit code (127: could not start, -1: timed out and killed), standard output and error as text. */
    record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }
}
