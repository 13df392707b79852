package dev.tapguard.agent.firewall;

import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.netfilter.Family;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a plan to the kernel: {@code ipset restore} (create/add/del), then one {@code iptables-restore -n} and one
 * {@code ip6tables-restore -n} (side by side: separate tables), then {@code ipset restore} (destroy sets nothing
 * references any more). Stops at the first failure: each restore commits per table, so what failed left its table
 * as it was (the agent reads the kernel back before it retries).
 */
public final class FirewallApplier {
    private static final java.util.concurrent.ExecutorService POOL =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "tapguard-restore");
                t.setDaemon(true);
                return t;
            });
    private final CommandRunner runner;
    private final Duration timeout;

    public FirewallApplier(CommandRunner runner, Duration timeout) {
        this.runner = runner;
        this.timeout = timeout;
    }

    /** One process the apply ran. */
    public record Step(String tool, Family family, CommandResult result) {
        public boolean ok() {
            return result.ok();
        }
    }

    /** The processes run, in order; the last one is the failure when {@link #ok()} is false. */
    public record Outcome(List<Step> steps, boolean ok) {
        public Step failure() {
            return ok || steps.isEmpty() ? null : steps.get(steps.size() - 1);
        }
    }

    public Outcome apply(FirewallPlan plan) {
        List<Step> steps = new ArrayList<>();
        if (plan.ipsetUpdate() != null && !run(steps, "ipset", null, ipsetRestore(plan.ipsetUpdate()))) {
            return new Outcome(steps, false);
        }
        // the two families are separate kernel tables: their restores run side by side
        List<Map.Entry<Family, String>> families = new ArrayList<>(plan.restore().entrySet());
        List<java.util.concurrent.CompletableFuture<Step>> running = new ArrayList<>();
        for (Map.Entry<Family, String> e : families) {
            Command c = restore(e.getKey(), e.getValue());
            String tool = e.getKey().command() + "-restore";
            running.add(families.size() == 1
                    ? java.util.concurrent.CompletableFuture.completedFuture(new Step(tool, e.getKey(), runner.run(c)))
                    : java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> new Step(tool, e.getKey(), runner.run(c)), POOL));
        }
        boolean ok = true;
        Step failed = null;
        for (var f : running) {
            Step s = f.join();
            if (s.ok()) {
                steps.add(s);
            } else if (failed == null) {
                failed = s;
                ok = false;
            } else {
                steps.add(s);
            }
        }
        if (!ok) {
            steps.add(failed);
            return new Outcome(steps, false);
        }
        if (plan.ipsetDestroy() != null && !run(steps, "ipset", null, ipsetRestore(plan.ipsetDestroy()))) {
            return new Outcome(steps, false);
        }
        return new Outcome(steps, true);
    }

    private boolean run(List<Step> steps, String tool, Family f, Command c) {
        CommandResult r = runner.run(c);
        steps.add(new Step(tool, f, r));
        return r.ok();
    }

    public Command restore(Family f, String payload) {
        return Command.of(f.command() + "-restore", "-n", "-w", "10").withStdin(payload).withTimeout(timeout);
    }

    public Command ipsetRestore(String payload) {
        return Command.of("ipset", "-exist", "restore").withStdin(payload).withTimeout(timeout);
    }
}
