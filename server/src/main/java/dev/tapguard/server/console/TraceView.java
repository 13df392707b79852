package dev.tapguard.server.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.netfilter.Packet;
import dev.tapguard.trace.Trace;

/** A {@link Trace} as JSON: verdict, the deciding rule and the security-group rule behind it, the path, why. */
public final class TraceView {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private TraceView() {
    }

    public static ObjectNode of(Trace t) {
        ObjectNode o = NODES.objectNode();
        o.put("verdict", t.verdict());
        o.put("allowed", t.allowed());
        o.put("decided", t.decided());
        Trace.Hop first = t.hops().isEmpty() ? null : t.hops().get(0);
        String family = first == null ? null : first.packet().ethertype().name();
        if (first != null) {
            o.set("packet", packet(first.packet()));
        }
        o.set("decision", decision(t.decision(), family));
        ArrayNode hops = o.putArray("hops");
        for (Trace.Hop h : t.hops()) {
            ObjectNode hop = hops.addObject();
            hop.put("label", h.label());
            EffectiveRulesView.putNullable(hop, "port_id", h.portId());
            EffectiveRulesView.putNullable(hop, "direction", h.direction() == null ? null : h.direction().wire());
            hop.put("family", h.packet().ethertype().name());
            EffectiveRulesView.putNullable(hop, "ct_state", h.state() == null ? null : h.state().name());
            if (h.zone() == null) {
                hop.putNull("zone");
            } else {
                hop.put("zone", h.zone());
            }
            ArrayNode steps = hop.putArray("steps");
            for (Trace.Step s : h.steps()) {
                ObjectNode st = steps.addObject();
                st.put("kind", s.kind().name());
                st.put("table", s.table());
                st.put("chain", s.chain());
                st.put("number", s.number());
                st.put("to_number", s.toNumber());
                EffectiveRulesView.putNullable(st, "rule_text", s.ruleText());
                if (s.matched() == null) {
                    st.putNull("matched");
                } else {
                    st.put("matched", s.matched());
                }
                EffectiveRulesView.putNullable(st, "action", s.action());
                EffectiveRulesView.provenance(st, s.provenance());
            }
        }
        Trace.Explanation e = t.explanation();
        if (e == null) {
            o.putNull("explanation");
        } else {
            ObjectNode x = o.putObject("explanation");
            EffectiveRulesView.putNullable(x, "summary", e.summary());
            EffectiveRulesView.putNullable(x, "fix", e.fix());
            ArrayNode notes = x.putArray("notes");
            e.notes().forEach(notes::add);
            ArrayNode closest = x.putArray("closest");
            for (Trace.ClosestRule c : e.closest()) {
                ObjectNode cr = closest.addObject();
                cr.put("chain", c.chain());
                cr.put("number", c.number());
                cr.put("rule_text", c.ruleText());
                EffectiveRulesView.putNullable(cr, "description", c.description());
                ArrayNode mm = cr.putArray("mismatches");
                c.mismatches().forEach(mm::add);
                EffectiveRulesView.provenance(cr, c.provenance());
            }
        }
        ArrayNode warnings = o.putArray("warnings");
        t.warnings().forEach(warnings::add);
        return o;
    }

    private static ObjectNode decision(Trace.Decision d, String family) {
        if (d == null) {
            return null;
        }
        ObjectNode o = NODES.objectNode();
        o.put("allowed", d.allowed());
        EffectiveRulesView.putNullable(o, "outcome", d.outcome());
        EffectiveRulesView.putNullable(o, "family", family);
        EffectiveRulesView.putNullable(o, "table", d.table());
        EffectiveRulesView.putNullable(o, "chain", d.chain());
        o.put("rule_number", d.ruleNumber());
        EffectiveRulesView.putNullable(o, "rule_text", d.ruleText());
        EffectiveRulesView.putNullable(o, "policy", d.policy());
        EffectiveRulesView.putNullable(o, "reason", d.reason());
        EffectiveRulesView.putNullable(o, "kernel_chain", d.kernelChain());
        o.put("kernel_rule_number", d.kernelRuleNumber());
        EffectiveRulesView.provenance(o, d.provenance());
        return o;
    }

    private static ObjectNode packet(Packet p) {
        ObjectNode o = NODES.objectNode();
        o.put("src", p.src());
        o.put("dst", p.dst());
        o.put("protocol", p.protocol());
        putInt(o, "sport", p.sport());
        putInt(o, "dport", p.dport());
        putInt(o, "icmp_type", p.icmpType());
        putInt(o, "icmp_code", p.icmpCode());
        EffectiveRulesView.putNullable(o, "physdev_in", p.physdevIn());
        EffectiveRulesView.putNullable(o, "physdev_out", p.physdevOut());
        o.put("ct_state", p.ct().name());
        return o;
    }

    private static void putInt(ObjectNode o, String key, Integer v) {
        if (v == null) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }
}
