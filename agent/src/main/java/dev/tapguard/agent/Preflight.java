package dev.tapguard.agent;

import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.agent.firewall.Ownership;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before anything is written, that this host can enforce security groups: the tools exist, bridged traffic
 * goes through iptables (br_netfilter and {@code net.bridge.bridge-nf-call-ip(6)tables=1}), and every iptables tool
 * talks to the same backend, with no Tapguard rules left in the other one (a host must not mix legacy and nft).
 */
public final class Preflight {
    private final CommandRunner runner;
    private final Ownership own;
    private final boolean plumbing;

    public Preflight(CommandRunner runner, Ownership own, boolean plumbing) {
        this.runner = runner;
        this.own = own;
        this.plumbing = plumbing;
    }

    /** The backend in use ("nf_tables" or "legacy"), or an exception listing every problem found. */
    public String check() {
        List<String> problems = new ArrayList<>();
        List<String[]> tools = new ArrayList<>(List.<String[]>of(
                new String[] {"iptables", "--version"}, new String[] {"ip6tables", "--version"},
                new String[] {"iptables-save", "--version"}, new String[] {"ip6tables-save", "--version"},
                new String[] {"iptables-restore", "--version"}, new String[] {"ip6tables-restore", "--version"},
                new String[] {"ipset", "version"}, new String[] {"conntrack", "--version"},
                new String[] {"ip", "-V"}, new String[] {"sysctl", "--version"}));
        if (plumbing) {
            tools.add(new String[] {"ovs-vsctl", "--version"});
            tools.add(new String[] {"ovs-ofctl", "--version"});
            tools.add(new String[] {"ethtool", "--version"});
        }
        List<String> backends = new ArrayList<>();
        for (String[] t : tools) {
            CommandResult r = runner.run(Command.of(t));
            if (!r.ok()) {
                problems.add("required tool '" + t[0] + "' is missing or broken (" + r.describe()
                        + "); install it (Debian: iptables, ipset, conntrack, iproute2, procps, openvswitch-switch,"
                        + " ethtool)");
                continue;
            }
            if (t[0].startsWith("ip") && t[0].contains("tables")) {
                String out = r.stdout() + r.stderr();
                String b = out.contains("nf_tables") ? "nf_tables" : out.contains("legacy") ? "legacy" : "unknown";
                backends.add(t[0] + "=" + b);
            }
        }
        String backend = null;
        for (String b : backends) {
            String v = b.substring(b.indexOf('=') + 1);
            if (backend == null) {
                backend = v;
            } else if (!backend.equals(v)) {
                problems.add("iptables tools use different backends (" + String.join(", ", backends)
                        + "): refusing to mix legacy and nft; point iptables, ip6tables and their -save/-restore at"
                        + " one backend (update-alternatives --config iptables / ip6tables)");
                break;
            }
        }
        if ("unknown".equals(backend)) {
            problems.add("cannot tell which iptables backend is in use (" + String.join(", ", backends) + ")");
        }
        if (backend != null && !backend.equals("unknown")) {
            String other = backend.equals("nf_tables") ? "legacy" : "nft";
            for (String save : List.of("iptables-" + other + "-save", "ip6tables-" + other + "-save")) {
                CommandResult r = runner.run(Command.of(save));
                if (r.ok() && hasOwnChains(r.stdout())) {
                    problems.add(save + " shows Tapguard/Neutron chains (" + own.wrap() + "-*) in the " + other
                            + " backend while iptables uses " + backend + ": refusing to mix backends; remove them ("
                            + save.replace("-save", "") + " -F / -X) or switch the alternatives back");
                }
            }
        }
        for (String fam : List.of("iptables", "ip6tables")) {
            String key = "net.bridge.bridge-nf-call-" + fam;
            CommandResult r = runner.run(Command.of("sysctl", "-n", key));
            if (!r.ok()) {
                problems.add(key + " does not exist: the br_netfilter module is not loaded, so bridged VM traffic"
                        + " would bypass iptables (modprobe br_netfilter)");
            } else if (!r.stdout().strip().equals("1")) {
                problems.add(key + " is " + r.stdout().strip() + ": bridged VM traffic bypasses " + fam
                        + " (sysctl -w " + key + "=1)");
            }
        }
        if (!problems.isEmpty()) {
            throw new PreflightException(problems);
        }
        return backend;
    }

    private boolean hasOwnChains(String save) {
        for (String line : save.split("\n")) {
            if (line.startsWith(":") && own.ownsChain(line.substring(1).split("\\s+")[0])) {
                return true;
            }
        }
        return false;
    }

    /** Every problem preflight found, one per line. */
    public static final class PreflightException extends RuntimeException {
        private final List<String> problems;

        public PreflightException(List<String> problems) {
            super("preflight failed:\n  - " + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
