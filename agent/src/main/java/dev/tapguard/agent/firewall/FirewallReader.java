package dev.tapguard.agent.firewall;

import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.netfilter.Family;
import dev.tapguard.render.KernelState;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Reads back what the kernel has (iptables-save, ip6tables-save, ipset save): at start, after a failed apply and on
 * the periodic resync. Never on the normal path: the agent keeps a predicted state instead.
 */
public final class FirewallReader {
    private final CommandRunner runner;
    private final Ownership own;
    private final Duration timeout;

    public FirewallReader(CommandRunner runner, Ownership own, Duration timeout) {
        this.runner = runner;
        this.own = own;
        this.timeout = timeout;
    }

    /** The dumps as text, for the renderer's zone recovery and for {@link SavedState}. */
    public record Dump(Map<Family, String> saves, String ipsetSave) {
        public FirewallState state(Ownership own) {
            return SavedState.parse(own, saves, ipsetSave);
        }

        public KernelState kernelState() {
            return KernelState.of(saves.get(Family.IPV4), saves.get(Family.IPV6));
        }
    }

    public Dump dump() {
        Map<Family, String> saves = new EnumMap<>(Family.class);
        for (Family f : Family.values()) {
            saves.put(f, runner.check(Command.of(f.command() + "-save").withTimeout(timeout)).stdout());
        }
        String ipset = runner.check(Command.of("ipset", "save").withTimeout(timeout)).stdout();
        return new Dump(saves, ipset);
    }

    public FirewallState read() {
        return dump().state(own);
    }
}
