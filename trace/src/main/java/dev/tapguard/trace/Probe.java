package dev.tapguard.trace;

import dev.tapguard.model.Direction;
import dev.tapguard.netfilter.CtState;

/**
 * A question "what happens to this packet?", as a user asks it: either a port and a direction (ingress = towards the
 * VM, egress = from it; {@code toHost} = from the VM to the compute host itself, the INPUT path), or the bridge ports
 * the packet enters and leaves by. Fields left null are filled from what is known about the port (its address, its
 * MAC) or stay unknown; {@code protocol} is a name or a number ("ipip" means IP-in-IP, protocol 4, as in the API).
 */
public record Probe(String name, String portId, Direction direction, boolean toHost, String physdevIn,
                    String physdevOut, String src, String dst, String srcMac, String protocol, Integer sport,
                    Integer dport, Integer icmpType, Integer icmpCode, String tcpFlags, CtState ct) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builds probes field by field. */
    public static final class Builder {
        private String name;
        private String portId;
        private Direction direction;
        private boolean toHost;
        private String physdevIn;
        private String physdevOut;
        private String src;
        private String dst;
        private String srcMac;
        private String protocol;
        private Integer sport;
        private Integer dport;
        private Integer icmpType;
        private Integer icmpCode;
        private String tcpFlags;
        private CtState ct;

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder port(String id, Direction d) {
            portId = id;
            direction = d;
            return this;
        }

        public Builder toHost(boolean v) {
            toHost = v;
            return this;
        }

        public Builder physdev(String in, String out) {
            physdevIn = in;
            physdevOut = out;
            return this;
        }

        public Builder src(String v) {
            src = v;
            return this;
        }

        public Builder dst(String v) {
            dst = v;
            return this;
        }

        public Builder srcMac(String v) {
            srcMac = v;
            return this;
        }

        public Builder protocol(String v) {
            protocol = v;
            return this;
        }

        public Builder sport(Integer v) {
            sport = v;
            return this;
        }

        public Builder dport(Integer v) {
            dport = v;
            return this;
        }

        public Builder icmp(Integer type, Integer code) {
            icmpType = type;
            icmpCode = code;
            return this;
        }

        public Builder tcpFlags(String v) {
            tcpFlags = v;
            return this;
        }

        public Builder ct(CtState v) {
            ct = v;
            return this;
        }

        public Probe build() {
            return new Probe(name, portId, direction, toHost, physdevIn, physdevOut, src, dst, srcMac, protocol,
                    sport, dport, icmpType, icmpCode, tcpFlags, ct);
        }
    }
}
