package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.agent.exec.ProcessCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the demo says when this machine lacks what it needs. */
class DemoPreflightTest {

    @Test
    void anEmptyPathNamesEveryMissingProgramWithItsPackageAndOneAptGetLine(@TempDir Path empty) {
        List<DemoPreflight.Missing> missing = DemoPreflight.check(new ProcessCommandRunner(), empty.toString(),
                List.of());
        String report = DemoPreflight.explain(missing);
        assertThat(report).contains("iptables: not found (Debian package iptables)",
                "ovs-vswitchd: not found (Debian package openvswitch-switch)",
                "tcpdump: not found (Debian package tcpdump)", "conntrack: not found (Debian package conntrack)");
        assertThat(report.lines().filter(l -> l.strip().startsWith("apt-get install -y")).toList()).singleElement()
                .asString().contains("iproute2", "iptables", "ipset", "conntrack", "openvswitch-switch", "tcpdump",
                        "ethtool", "procps", "kmod");
    }

    @Test
    void aProgramOnlyInSbinIsReportedAsAPathProblem(@TempDir Path bin) throws Exception {
        Files.createSymbolicLink(bin.resolve("ip"), Path.of("/usr/bin/ip").toRealPath());
        String report = DemoPreflight.explain(DemoPreflight.check(new ProcessCommandRunner(), bin.toString()));
        assertThat(report).doesNotContain("ip: not found").contains("iptables is in /usr/sbin, which is not on PATH");
    }

    @Test
    @Tag("privileged")
    void installRunsAptGetAndLeavesInstalledPackagesAsTheyAre() {
        String before = new ProcessCommandRunner().check("dpkg-query", "-W", "iproute2", "procps").stdout();
        assertThat(DemoPreflight.install(new ProcessCommandRunner(), List.of("iproute2", "procps"))).isNull();
        assertThat(new ProcessCommandRunner().check("dpkg-query", "-W", "iproute2", "procps").stdout())
                .isEqualTo(before);
    }

    @Test
    @Tag("privileged")
    void thisMachineHasEverythingTheDemoNeeds() {
        assertThat(DemoPreflight.check(new ProcessCommandRunner(), System.getenv("PATH"))).isEmpty();
    }
}
