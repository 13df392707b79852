package dev.tapguard.netfilter;

/** A rule's target ({@code -j} or {@code -g}), printed as iptables-save prints it. */
public sealed interface Verdict {

    String text();

    /** True when the verdict ends the packet's walk (ACCEPT, DROP, REJECT). */
    default boolean terminal() {
        return false;
    }

    record Accept() implements Verdict {
        public String text() {
            return "-j ACCEPT";
        }

        public boolean terminal() {
            return true;
        }
    }

    record Drop() implements Verdict {
        public String text() {
            return "-j DROP";
        }

        public boolean terminal() {
            return true;
        }
    }

    record Reject(String with) implements Verdict {
        public String text() {
            return with == null ? "-j REJECT" : "-j REJECT --reject-with " + with;
        }

        public boolean terminal() {
            return true;
        }
    }

    record Return() implements Verdict {
        public String text() {
            return "-j RETURN";
        }
    }

    /** {@code -j CHAIN}: walk the chain, come back on RETURN or its end. */
    record Jump(String chain) implements Verdict {
        public String text() {
            return "-j " + chain;
        }
    }

    /** {@code -g CHAIN}: walk the chain, never come back here. */
    record Goto(String chain) implements Verdict {
        public String text() {
            return "-g " + chain;
        }
    }

    /** {@code -j CT --zone N}: put the packet's conntrack entry in zone N. */
    record CtZone(int zone) implements Verdict {
        public String text() {
            return "-j CT --zone " + zone;
        }
    }

    /** {@code -j CT --notrack}: skip conntrack (stateless groups). */
    record CtNotrack() implements Verdict {
        public String text() {
            return "-j CT --notrack";
        }
    }

    /** {@code -j LOG [options]}: logs and continues with the next rule. */
    record Log(String options) implements Verdict {
        public String text() {
            return options == null || options.isEmpty() ? "-j LOG" : "-j LOG " + options;
        }
    }

    /** {@code -j NFLOG [options]}: hands a copy to nfnetlink_log and continues. */
    record Nflog(String options) implements Verdict {
        public String text() {
            return options == null || options.isEmpty() ? "-j NFLOG" : "-j NFLOG " + options;
        }
    }

    /** {@code -j MARK --set-xmark VALUE/MASK}: mark = (mark AND NOT mask) XOR value; continues. */
    record SetMark(long value, long mask) implements Verdict {
        public String text() {
            return "-j MARK --set-xmark 0x" + Long.toHexString(value) + "/0x" + Long.toHexString(mask);
        }
    }

    /** A non-terminating target (LOG, NFLOG, MARK...) or one not modelled, kept word for word. */
    record Other(String text) implements Verdict {
    }

    Accept ACCEPT = new Accept();
    Drop DROP = new Drop();
    Return RETURN = new Return();
    CtNotrack NOTRACK = new CtNotrack();
}
