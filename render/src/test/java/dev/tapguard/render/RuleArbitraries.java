package dev.tapguard.render;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.testkit.Hosts;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random security-group rules for the render properties: any direction and ethertype, remote any or a group. */
final class RuleArbitraries {
    private RuleArbitraries() {
    }

    /** Rules of the given protocols (null: any); tcp and udp rules get one random port. */
    static Arbitrary<SecurityGroupRule> rules(List<String> gids, String... protocols) {
        Arbitrary<Direction> d = Arbitraries.of(Direction.class);
        Arbitrary<Ethertype> e = Arbitraries.of(Ethertype.class);
        Arbitrary<String> proto = Arbitraries.of(protocols);
        Arbitrary<Integer> portNo = Arbitraries.integers().between(1, 65535);
        Arbitrary<Remote> remote = Arbitraries.oneOf(Arbitraries.just(Remote.ANY),
                Arbitraries.of(gids).map(Remote.Group::new));
        return Combinators.combine(d, e, proto, portNo, remote).as((dir, eth, p, n, rem) -> {
            boolean ports = "tcp".equals(p) || "udp".equals(p);
            return Hosts.rule(null, dir, eth, p, ports ? n : null, ports ? n : null, rem);
        });
    }
}
