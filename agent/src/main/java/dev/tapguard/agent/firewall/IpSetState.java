package dev.tapguard.agent.firewall;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** One of Tapguard's ipsets: its family ("inet"/"inet6") and members, each as {@link IpSetMembers#key}. */
public record IpSetState(String name, String family, Set<String> members) {

    public IpSetState {
        members = Collections.unmodifiableSet(new LinkedHashSet<>(members));
    }
}
