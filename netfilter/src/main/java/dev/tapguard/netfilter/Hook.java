package dev.tapguard.netfilter;

/**
 * Where a bridged packet meets iptables: FORWARD when the bridge forwards it from one port to another (VM to the
 * network or back), INPUT when it is delivered to the host itself through the bridge (VM to host).
 */
public enum Hook {
    FORWARD, INPUT
}
