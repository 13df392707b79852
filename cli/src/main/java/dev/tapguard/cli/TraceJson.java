package dev.tapguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.netfilter.Packet;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.trace.Trace;
import dev.tapguard.wire.HostDocuments;
import java.util.Locale;

/** A trace as JSON: {@code {"verdict", "path", "decided_by", "security_group_rule_id", "warnings", ...}}. */
final class TraceJson {
    private TraceJson() {
    }

    static ObjectNode of(Trace t) {
        ObjectNode o = HostDocuments.MAPPER.createObjectNode();
        if (t.probe().name() != null) {
            o.put("name", t.probe().name());
        }
        o.put("verdict", t.verdict());
        o.put("decided", t.decided());
        ArrayNode path = o.putArray("path");
        int hopNo = 0;
        for (Trace.Hop h : t.hops()) {
            hopNo++;
            for (Trace.Step s : h.steps()) {
                ObjectNode st = path.addObject();
                st.put("hop", hopNo);
                st.put("kind", s.kind().name().toLowerCase(Locale.ROOT));
                st.put("table", s.table());
                st.put("chain", s.chain());
                switch (s.kind()) {
                    case RULE -> {
                        st.put("rule", s.number());
                        st.put("text", s.ruleText());
                        if (s.matched() == null) {
                            st.putNull("matched");
                        } else {
                            st.put("matched", s.matched());
                        }
                        if (s.action() != null) {
                            st.put("action", s.action());
                        }
                        provenance(st, s.provenance());
                    }
                    case SKIPPED -> {
                        st.put("from_rule", s.number());
                        st.put("to_rule", s.toNumber());
                    }
                    case POLICY -> st.put("policy", s.action());
                    default -> {
                    }
                }
            }
        }
        Trace.Decision d = t.decision();
        ObjectNode by = o.putObject("decided_by");
        if (d != null) {
            by.put("table", d.table());
            by.put("chain", d.chain());
            if (d.ruleNumber() > 0) {
                by.put("rule", d.ruleNumber());
                by.put("text", d.ruleText());
            } else {
                by.put("policy", d.policy());
            }
            provenance(by, d.provenance());
            by.put("reason", d.reason());
            by.put("kernel_chain", d.kernelChain());
            by.put("kernel_rule", d.kernelRuleNumber());
        }
        Provenance p = d == null ? null : d.provenance();
        o.put("security_group_rule_id", p == null ? null : p.securityGroupRuleId());
        o.put("security_group_id", p == null ? null : p.securityGroupId());
        ArrayNode w = o.putArray("warnings");
        t.warnings().forEach(w::add);
        Trace.Hop first = t.hops().get(0);
        o.set("packet", packet(first.packet()));
        o.put("conntrack_state", first.state().wire());
        if (first.zone() != null) {
            o.put("conntrack_zone", first.zone());
        }
        Trace.Explanation e = t.explanation();
        if (e != null) {
            ObjectNode ex = o.putObject("explanation");
            ex.put("summary", e.summary());
            ArrayNode cl = ex.putArray("closest");
            for (Trace.ClosestRule c : e.closest()) {
                ObjectNode x = cl.addObject();
                x.put("chain", c.chain());
                x.put("rule", c.number());
                x.put("text", c.ruleText());
                provenance(x, c.provenance());
                x.put("description", c.description());
                ArrayNode mm = x.putArray("mismatches");
                c.mismatches().forEach(mm::add);
            }
            ArrayNode notes = ex.putArray("notes");
            e.notes().forEach(notes::add);
            ex.put("fix", e.fix());
        }
        return o;
    }

    private static void provenance(ObjectNode o, Provenance p) {
        if (p == null) {
            return;
        }
        o.put("role", p.role().name().toLowerCase(Locale.ROOT));
        if (p.portId() != null) {
            o.put("port_id", p.portId());
        }
        if (p.securityGroupId() != null) {
            o.put("security_group_id", p.securityGroupId());
        }
        if (p.securityGroupRuleId() != null) {
            o.put("security_group_rule_id", p.securityGroupRuleId());
        }
    }

    private static ObjectNode packet(Packet p) {
        ObjectNode o = HostDocuments.MAPPER.createObjectNode();
        o.put("src", p.src());
        o.put("dst", p.dst());
        o.put("protocol", p.protocol());
        if (p.sport() != null) {
            o.put("sport", p.sport());
        }
        if (p.dport() != null) {
            o.put("dport", p.dport());
        }
        if (p.icmpType() != null) {
            o.put("icmp_type", p.icmpType());
            o.put("icmp_code", p.icmpCode());
        }
        if (p.srcMac() != null) {
            o.put("src_mac", p.srcMac());
        }
        o.put("physdev_in", p.physdevIn());
        o.put("physdev_out", p.physdevOut());
        o.put("hook", p.hook().name());
        o.put("ct", p.ct().wire());
        return o;
    }
}
