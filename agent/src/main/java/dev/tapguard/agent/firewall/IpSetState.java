package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.IpSet;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * One of Tapguard's ipsets: its family ("inet"/"inet6") and members, each as {@link IpSetMembers#key}, and the
 * rendered set it was made from (null when read back), so an unchanged set is recognised by identity next cycle.
 * Equality ignores the source.
 */
public record IpSetState(String name, String family, Set<String> members, IpSet source) {

    public IpSetState {
        members = Collections.unmodifiableSet(new LinkedHashSet<>(members));
    }

    public IpSetState(String name, String family, Set<String> members) {
        this(name, family, members, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpSetState s && s.name.equals(name) && s.family.equals(family)
                && s.members.equals(members);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, family, members);
    }
}
