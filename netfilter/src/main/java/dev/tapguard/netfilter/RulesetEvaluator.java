package dev.tapguard.netfilter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a probe through the tables the kernel consults for a bridged packet (br_netfilter with
 * {@code bridge-nf-call-ip(6)tables=1}): raw PREROUTING (CT zones, NOTRACK), conntrack, mangle PREROUTING, then
 * mangle, filter and security FORWARD (bridged from port to port) or INPUT (delivered to the host through the
 * bridge). Pure: compiled once from a ruleset, then each evaluation is a walk over arrays.
 *
 * <p>To stay fast on large rulesets, runs of rules that each require one exact bridge port or interface are indexed
 * by that name: only the rules whose port is the packet's are tried, the others are reported as skipped (they cannot
 * match). The nat table is not walked (a note says so when it has rules on the path).
 */
public final class RulesetEvaluator {

    private static final int MIN_BLOCK = 6;
    private static final int MAX_DEPTH = 64;
    /** Rules one walk may try; only a ruleset with jump loops (which the kernel refuses to load) gets there. */
    private static final int MAX_RULES_TRIED = 2_000_000;

    // rule actions
    private static final int A_CONTINUE = 0;
    private static final int A_ACCEPT = 1;
    private static final int A_DROP = 2;
    private static final int A_REJECT = 3;
    private static final int A_RETURN = 4;
    private static final int A_JUMP = 5;
    private static final int A_GOTO = 6;
    private static final int A_ZONE = 7;
    private static final int A_NOTRACK = 8;
    private static final int A_MARK = 9;
    private static final int A_MISSING_CHAIN = 10;
    private static final int A_UNKNOWN_TARGET = 11;

    // walk results
    private static final int R_NEXT = -1;
    private static final int R_RETURN = 0;
    private static final int R_ACCEPT = 1;
    private static final int R_DROP = 2;
    private static final int R_REJECT = 3;

    // recorded step kinds
    static final int S_ENTER = 1;
    static final int S_RULE = 2;
    static final int S_SKIP = 3;
    static final int S_POLICY = 4;
    static final int S_LEFT = 5;

    private final Map<Family, CompiledFamily> families = new EnumMap<>(Family.class);
    /** Room for the steps of a typical walk through Neutron's layout (about 35 steps of 4 ints); it grows. */
    private static final int STEP_INTS = 160;

    private RulesetEvaluator() {
    }

    /** Compiles a ruleset (its own ipsets are the set contents). */
    public static RulesetEvaluator compile(Ruleset ruleset) {
        return compile(ruleset.tables(), IpsetDump.of(ruleset.ipsets()));
    }

    /** Compiles tables per family with the given set contents. */
    public static RulesetEvaluator compile(Map<Family, List<Table>> tables, IpsetDump ipsets) {
        RulesetEvaluator e = new RulesetEvaluator();
        IpSetIndex sets = new IpSetIndex(ipsets == null ? IpsetDump.EMPTY : ipsets);
        for (Family f : Family.values()) {
            e.families.put(f, new CompiledFamily(f, tables.getOrDefault(f, List.of()), sets));
        }
        return e;
    }

    /** The kernel's verdict on a probe, with every step. */
    public Evaluation evaluate(Packet p) {
        return families.get(p.family()).evaluate(p, true);
    }

    /** The verdict only (steps are not recorded; the decision and notes are). */
    public Evaluation verdict(Packet p) {
        return families.get(p.family()).evaluate(p, false);
    }

    /** How each match of a rule reads a probe (null: cannot tell), for explaining why a rule did not match. */
    public List<MatchResult> explain(Family family, Rule rule, Packet p) {
        CompiledFamily cf = families.get(family);
        Conditions.View v = cf.view(p);
        v.stateBit = Conditions.stateBit(ConntrackFacts.effective(p).state());
        List<MatchResult> out = new ArrayList<>();
        for (Match m : rule.matches()) {
            Conditions.Cond c;
            try {
                c = Conditions.compile(m, family == Family.IPV6, cf.sets);
            } catch (RuntimeException e) {
                c = new Conditions.Unknown(m);
            }
            if (c == null) {
                continue;
            }
            int r = c.test(v);
            out.add(new MatchResult(m, r == Conditions.UNKNOWN ? null : r == Conditions.YES));
        }
        return out;
    }

    /** One match of a rule against a probe. */
    public record MatchResult(Match match, Boolean matched) {
    }

    // ------------------------------------------------------------------------------------------------ compiled form

    /** A compiled rule; rules with the same text in the same table share one (ports share their group rules). */
    static final class CRule {
        final Conditions.Cond[] conds;
        final int action;
        final int target;
        final long value;
        final long mask;
        final int keyKind;
        final String keyName;

        CRule(Conditions.Cond[] conds, int action, int target, long value, long mask) {
            this.conds = conds;
            this.action = action;
            this.target = target;
            this.value = value;
            this.mask = mask;
            int kind = 0;
            String name = null;
            for (Conditions.Cond c : conds) {
                if (c.keyKind() != 0) {
                    kind = c.keyKind();
                    name = c.keyName();
                    break;
                }
            }
            this.keyKind = kind;
            this.keyName = name;
        }
    }

    /** A run of rules that each need one exact bridge port or interface, indexed by that name. */
    static final class Block {
        final int id;
        final int start;
        final int end;
        /** Bit k set when some rule of the block is keyed by kind k (1 physdev-in .. 4 -o). */
        final int kinds;

        Block(int id, int start, int end, CRule[] rules, Map<String, Device.Builder> devices) {
            this.id = id;
            this.start = start;
            this.end = end;
            int k = 0;
            for (int i = start; i < end; i++) {
                CRule r = rules[i];
                k |= 1 << r.keyKind;
                devices.computeIfAbsent(r.keyName, Device.Builder::new).add(id * 4 + r.keyKind - 1, i);
            }
            this.kinds = k;
        }

        /**
         * Fills {@code out} with the sorted rule lists that may match (null = none) and returns true; returns false
         * when the packet lacks a device name the index needs (then every rule of the block is tried).
         */
        boolean lists(Conditions.View v, int[][] out) {
            for (int k = 1; k < 5; k++) {
                out[k - 1] = null;
                if ((kinds & (1 << k)) == 0) {
                    continue;
                }
                String name = switch (k) {
                    case 1 -> v.physIn;
                    case 2 -> v.physOut;
                    case 3 -> v.in;
                    default -> v.out;
                };
                if (name == null) {
                    if (k >= 3) {
                        return false; // an interface match on an unknown device cannot be decided
                    }
                    continue; // a physdev option on a port the packet lacks never matches
                }
                Device d = v.dev[k - 1];
                out[k - 1] = d == null ? null : d.list(id * 4 + k - 1);
            }
            return true;
        }
    }

    /**
     * A device name the ruleset keys rules by, with the rules that need it in every block: looked up once per
     * probe and name, so that each block costs an array read instead of a hash lookup.
     */
    static final class Device {
        final String name;
        /** Sorted (block id * 4 + kind - 1) keys and, in parallel, the ascending rule indices. */
        final int[] keys;
        final int[][] lists;

        Device(String name, int[] keys, int[][] lists) {
            this.name = name;
            this.keys = keys;
            this.lists = lists;
        }

        int[] list(int key) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == key) {
                    return lists[i];
                }
            }
            return null;
        }

        /** Collects a device's entries while blocks are built. */
        static final class Builder {
            final String name;
            final java.util.TreeMap<Integer, List<Integer>> byKey = new java.util.TreeMap<>();

            Builder(String name) {
                this.name = name;
            }

            void add(int key, int rule) {
                byKey.computeIfAbsent(key, x -> new ArrayList<>()).add(rule);
            }

            Device build() {
                int[] keys = new int[byKey.size()];
                int[][] lists = new int[byKey.size()][];
                int i = 0;
                for (Map.Entry<Integer, List<Integer>> e : byKey.entrySet()) {
                    keys[i] = e.getKey();
                    lists[i++] = e.getValue().stream().mapToInt(Integer::intValue).toArray();
                }
                return new Device(name, keys, lists);
            }
        }
    }

    static final class CChain {
        final int id;
        final String table;
        final String name;
        final String policy;
        CRule[] rules;
        /** The rules as parsed or rendered (text, provenance), by index. */
        Rule[] sources;
        Block[] blocks;

        CChain(int id, String table, String name, String policy) {
            this.id = id;
            this.table = table;
            this.name = name;
            this.policy = policy;
        }
    }

    /** Everything of one family, compiled. */
    static final class CompiledFamily {
        final Family family;
        final IpSetIndex sets;
        final List<CChain> chains = new ArrayList<>();
        final Map<String, Map<String, CChain>> byTable = new HashMap<>();
        /** Compiled rules by table and text, shared between chains. */
        private final Map<String, CRule> compiled = new HashMap<>();
        /** Compiled conditions by match, shared between rules (null: a comment). */
        private final Map<Match, Conditions.Cond> condCache = new HashMap<>();
        /** One instance per device name, so that name compares are mostly identity compares. */
        private final Map<String, String> names = new HashMap<>();
        private final Map<String, Device.Builder> deviceBuilders = new HashMap<>();
        private int blockCount;
        /** The devices the blocks are keyed by. */
        final Map<String, Device> devices = new HashMap<>();
        /** Chains walked per hook, in the kernel's priority order. */
        final CChain[] prerouting;
        final CChain[] forward;
        final CChain[] input;
        final boolean natPrerouting;

        CompiledFamily(Family family, List<Table> tables, IpSetIndex sets) {
            this.family = family;
            this.sets = sets;
            for (Table t : tables) {
                Map<String, CChain> m = byTable.computeIfAbsent(t.name(), k -> new HashMap<>());
                for (Chain c : t.chains()) {
                    CChain cc = new CChain(chains.size(), t.name(), c.name(), c.builtin() ? c.policy() : null);
                    chains.add(cc);
                    m.put(c.name(), cc);
                }
            }
            for (Table t : tables) {
                Map<String, CChain> m = byTable.get(t.name());
                for (Chain c : t.chains()) {
                    compileChain(m.get(c.name()), c, m);
                }
            }
            deviceBuilders.forEach((name, b) -> devices.put(name, b.build()));
            deviceBuilders.clear();
            prerouting = hook(List.of("raw", "mangle"), "PREROUTING");
            forward = hook(List.of("mangle", "filter", "security"), "FORWARD");
            input = hook(List.of("mangle", "filter", "security"), "INPUT");
            CChain nat = chain("nat", "PREROUTING");
            natPrerouting = nat != null && nat.rules.length > 0;
        }

        CChain chain(String table, String name) {
            Map<String, CChain> m = byTable.get(table);
            return m == null ? null : m.get(name);
        }

        private CChain[] hook(List<String> tables, String builtin) {
            List<CChain> out = new ArrayList<>();
            for (String t : tables) {
                CChain c = chain(t, builtin);
                if (c != null) {
                    out.add(c);
                }
            }
            return out.toArray(new CChain[0]);
        }

        private void compileChain(CChain cc, Chain c, Map<String, CChain> table) {
            CRule[] rules = new CRule[c.rules().size()];
            for (int i = 0; i < rules.length; i++) {
                Rule r = c.rules().get(i);
                String key = cc.table + "\u0000" + r.text();
                CRule shared = compiled.get(key);
                if (shared == null) {
                    shared = compileRule(r, table);
                    compiled.put(key, shared);
                }
                rules[i] = shared;
            }
            cc.rules = rules;
            cc.sources = c.rules().toArray(new Rule[0]);
            List<Block> blocks = new ArrayList<>();
            int i = 0;
            while (i < rules.length) {
                if (rules[i].keyKind == 0) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < rules.length && rules[j].keyKind != 0) {
                    j++;
                }
                if (j - i >= MIN_BLOCK) {
                    blocks.add(new Block(blockCount++, i, j, rules, deviceBuilders));
                }
                i = j;
            }
            cc.blocks = blocks.toArray(new Block[0]);
        }

        private CRule compileRule(Rule r, Map<String, CChain> table) {
            List<Conditions.Cond> conds = new ArrayList<>(r.matches().size());
            for (Match m : r.matches()) {
                Conditions.Cond c = condCache.get(m);
                if (c == null && !condCache.containsKey(m)) {
                    try {
                        c = Conditions.compile(m, family == Family.IPV6, sets, n -> names.computeIfAbsent(n, x -> x));
                    } catch (RuntimeException e) {
                        c = new Conditions.Unknown(m);
                    }
                    condCache.put(m, c);
                }
                if (c != null) {
                    conds.add(c);
                }
            }
            // cheap, shared conditions first: the result of an AND does not depend on the order
            conds.sort(java.util.Comparator.comparingInt(Conditions::rank));
            Conditions.Cond[] arr = conds.toArray(new Conditions.Cond[0]);
            Verdict v = r.verdict();
            return switch (v) {
                case null -> new CRule(arr, A_CONTINUE, -1, 0, 0);
                case Verdict.Accept a -> new CRule(arr, A_ACCEPT, -1, 0, 0);
                case Verdict.Drop d -> new CRule(arr, A_DROP, -1, 0, 0);
                case Verdict.Reject rj -> new CRule(arr, A_REJECT, -1, 0, 0);
                case Verdict.Return rt -> new CRule(arr, A_RETURN, -1, 0, 0);
                case Verdict.Jump j -> jump(arr, j.chain(), table, A_JUMP);
                case Verdict.Goto g -> jump(arr, g.chain(), table, A_GOTO);
                case Verdict.CtZone z -> new CRule(arr, A_ZONE, -1, z.zone(), 0);
                case Verdict.CtNotrack n -> new CRule(arr, A_NOTRACK, -1, 0, 0);
                case Verdict.SetMark sm -> new CRule(arr, A_MARK, -1, sm.value(), sm.mask());
                case Verdict.Log l -> new CRule(arr, A_CONTINUE, -1, 0, 0);
                case Verdict.Nflog l -> new CRule(arr, A_CONTINUE, -1, 0, 0);
                case Verdict.Other o -> new CRule(arr, continues(o) ? A_CONTINUE : A_UNKNOWN_TARGET, -1,
                        0, 0);
            };
        }

        private static CRule jump(Conditions.Cond[] arr, String name, Map<String, CChain> table, int action) {
            CChain t = table.get(name);
            if (t == null || t.policy != null) {
                return new CRule(arr, A_MISSING_CHAIN, -1, 0, 0);
            }
            return new CRule(arr, action, t.id, 0, 0);
        }

        /** Targets that do their work and let the packet go on to the next rule. */
        private static boolean continues(Verdict.Other o) {
            String t = o.text();
            String name = t.startsWith("-j ") ? t.substring(3).split(" ")[0] : "";
            return switch (name) {
                case "CONNMARK", "TRACE", "TCPMSS", "CHECKSUM", "CLASSIFY", "DSCP", "TOS", "TTL", "HL", "SET",
                     "AUDIT", "SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "RATEEST", "TEE", "CT", "ECN", "HMARK",
                     "ULOG", "LOG", "NFLOG", "MARK" -> true;
                default -> false;
            };
        }

        Conditions.View view(Packet p) {
            Conditions.View v = new Conditions.View();
            long[] a = v.scratch;
            int ver = AddressBits.parse(p.src(), a);
            v.v6 = ver == 6;
            v.srcHi = a[0];
            v.srcLo = a[1];
            AddressBits.parse(p.dst(), a);
            v.dstHi = a[0];
            v.dstLo = a[1];
            v.proto = p.protocol();
            v.sport = p.sport() == null ? -1 : p.sport();
            v.dport = p.dport() == null ? -1 : p.dport();
            v.icmpType = p.icmpType() == null ? -1 : p.icmpType();
            v.icmpCode = p.icmpCode() == null ? -1 : p.icmpCode();
            v.tcpFlags = p.tcpFlags() == null ? -1 : TcpFlagBits.parse(p.tcpFlags());
            v.srcMac = Packet.macBits(p.srcMac());
            v.bridged = p.bridged();
            v.physIn = device(v, 0, p.physdevIn());
            v.physOut = device(v, 1, p.physdevOut());
            v.in = device(v, 2, p.inInterface());
            v.out = p.outInterface() != null && p.outInterface().equals(p.inInterface()) ? v.in
                    : device(v, 3, p.outInterface());
            v.dev[3] = v.out == v.in ? v.dev[2] : v.dev[3];
            v.mark = p.mark();
            return v;
        }

        /** The ruleset's instance of a device name (so later compares are identity compares), and its entry. */
        private String device(Conditions.View v, int slot, String name) {
            if (name == null) {
                return null;
            }
            Device d = devices.get(name);
            v.dev[slot] = d;
            if (d != null) {
                return d.name;
            }
            String canonical = names.get(name);
            return canonical != null ? canonical : name;
        }

        /** The walk of one probe. */
        private final class Walk {
            final Conditions.View v;
            final boolean record;
            int[] steps;
            int n;
            CChain decChain;
            int decRule = -1;
            List<String> notes;
            boolean undecided;
            int tried;
            boolean exhausted;
            final int[][] lists = new int[4][];

            Walk(Conditions.View v, boolean record) {
                this.v = v;
                this.record = record;
                this.steps = record ? new int[STEP_INTS] : null;
            }

            void rec(int kind, int chain, int a, int b) {
                if (!record) {
                    return;
                }
                if (n + 4 > steps.length) {
                    steps = Arrays.copyOf(steps, steps.length * 2);
                }
                steps[n++] = kind;
                steps[n++] = chain;
                steps[n++] = a;
                steps[n++] = b;
            }

            void note(String s) {
                if (notes == null) {
                    notes = new ArrayList<>(2);
                }
                if (!notes.contains(s)) {
                    notes.add(s);
                }
            }

            int walk(CChain c, int depth) {
                rec(S_ENTER, c.id, 0, 0);
                if (depth > MAX_DEPTH) {
                    note("jumps nest deeper than " + MAX_DEPTH + " at chain " + c.name + ": walk stopped there");
                    undecided = true;
                    return R_RETURN;
                }
                int n = c.rules.length;
                Block[] blocks = c.blocks;
                int bi = 0;
                int i = 0;
                while (i < n) {
                    if (bi < blocks.length && blocks[bi].start == i) {
                        Block b = blocks[bi++];
                        if (b.lists(v, lists)) {
                            int r = walkCandidates(c, b, depth);
                            if (r != R_NEXT) {
                                return finish(c, r);
                            }
                            i = b.end;
                            continue;
                        }
                    }
                    int r = tryRule(c, i, depth);
                    if (r != R_NEXT) {
                        return finish(c, r);
                    }
                    i++;
                }
                return finish(c, R_RETURN);
            }

            /** The block's candidate rules in order: a merge of its (at most four) sorted lists, no allocation. */
            private int walkCandidates(CChain c, Block b, int depth) {
                int[] l0 = lists[0];
                int[] l1 = lists[1];
                int[] l2 = lists[2];
                int[] l3 = lists[3];
                int i0 = 0;
                int i1 = 0;
                int i2 = 0;
                int i3 = 0;
                int prev = b.start;
                while (true) {
                    int k = Integer.MAX_VALUE;
                    if (l0 != null && i0 < l0.length) {
                        k = l0[i0];
                    }
                    if (l1 != null && i1 < l1.length && l1[i1] < k) {
                        k = l1[i1];
                    }
                    if (l2 != null && i2 < l2.length && l2[i2] < k) {
                        k = l2[i2];
                    }
                    if (l3 != null && i3 < l3.length && l3[i3] < k) {
                        k = l3[i3];
                    }
                    if (k == Integer.MAX_VALUE) {
                        break;
                    }
                    if (l0 != null && i0 < l0.length && l0[i0] == k) {
                        i0++;
                    }
                    if (l1 != null && i1 < l1.length && l1[i1] == k) {
                        i1++;
                    }
                    if (l2 != null && i2 < l2.length && l2[i2] == k) {
                        i2++;
                    }
                    if (l3 != null && i3 < l3.length && l3[i3] == k) {
                        i3++;
                    }
                    if (k > prev) {
                        rec(S_SKIP, c.id, prev, k - 1);
                    }
                    // l0..l3 are locals: a nested block reusing the scratch array does not disturb them
                    int r = tryRule(c, k, depth);
                    if (r != R_NEXT) {
                        return r;
                    }
                    prev = k + 1;
                }
                if (prev < b.end) {
                    rec(S_SKIP, c.id, prev, b.end - 1);
                }
                return R_NEXT;
            }

            private int finish(CChain c, int r) {
                if (r != R_RETURN) {
                    return r;
                }
                if (c.policy != null) {
                    rec(S_POLICY, c.id, 0, 0);
                    decChain = c;
                    decRule = -1;
                    return switch (c.policy) {
                        case "DROP" -> R_DROP;
                        case "ACCEPT" -> R_ACCEPT;
                        default -> {
                            note("chain " + c.name + " has policy " + c.policy + ", taken as ACCEPT");
                            yield R_ACCEPT;
                        }
                    };
                }
                rec(S_LEFT, c.id, 0, 0);
                return R_RETURN;
            }

            private int tryRule(CChain c, int idx, int depth) {
                CRule r = c.rules[idx];
                if (exhausted || ++tried > MAX_RULES_TRIED) {
                    if (!exhausted) {
                        exhausted = true;
                        undecided = true;
                        note("more than " + MAX_RULES_TRIED + " rules tried: the chains jump in a loop (the kernel "
                                + "would refuse to load them); walk stopped");
                    }
                    return R_RETURN;
                }
                int m = Conditions.YES;
                Conditions.Cond unknown = null;
                for (Conditions.Cond cond : r.conds) {
                    int x = cond.test(v);
                    if (x == Conditions.NO) {
                        m = Conditions.NO;
                        break;
                    }
                    if (x == Conditions.UNKNOWN) {
                        m = Conditions.UNKNOWN;
                        if (unknown == null) {
                            unknown = cond;
                        }
                    }
                }
                rec(S_RULE, c.id, idx, m);
                if (m == Conditions.NO) {
                    return R_NEXT;
                }
                if (m == Conditions.UNKNOWN) {
                    undecided = true;
                    note(c.table + " " + c.name + " rule " + (idx + 1) + ": could not decide ("
                            + Conditions.unknownReason(unknown, v) + "); taken as not matching");
                    return R_NEXT;
                }
                switch (r.action) {
                    case A_CONTINUE:
                        return R_NEXT;
                    case A_ACCEPT:
                        decide(c, idx);
                        return R_ACCEPT;
                    case A_DROP:
                        decide(c, idx);
                        return R_DROP;
                    case A_REJECT:
                        decide(c, idx);
                        return R_REJECT;
                    case A_RETURN:
                        return R_RETURN;
                    case A_JUMP: {
                        int res = walk(chains.get(r.target), depth + 1);
                        return res == R_RETURN ? R_NEXT : res;
                    }
                    case A_GOTO: {
                        int res = walk(chains.get(r.target), depth + 1);
                        return res == R_RETURN ? R_RETURN : res;
                    }
                    case A_ZONE:
                        v.zone = (int) r.value;
                        return R_NEXT;
                    case A_NOTRACK:
                        v.notrack = true;
                        return R_NEXT;
                    case A_MARK:
                        v.mark = ((v.mark & ~r.mask) ^ r.value) & 0xffffffffL;
                        return R_NEXT;
                    case A_MISSING_CHAIN:
                        note(c.table + " " + c.name + " rule " + (idx + 1) + ": target chain of '"
                                + c.sources[idx].text()
                                + "' does not exist; taken as continuing");
                        undecided = true;
                        return R_NEXT;
                    default:
                        note(c.table + " " + c.name + " rule " + (idx + 1) + ": target '"
                                + c.sources[idx].verdict().text()
                                + "' is not modelled; taken as continuing");
                        undecided = true;
                        return R_NEXT;
                }
            }

            private void decide(CChain c, int idx) {
                decChain = c;
                decRule = idx;
            }
        }

        Evaluation evaluate(Packet p, boolean record) {
            Conditions.View v = view(p);
            Walk w = new Walk(v, record);
            // raw and mangle PREROUTING see the packet before conntrack decides its state; -m state there would
            // see no conntrack entry yet (INVALID)
            v.stateBit = Conditions.stateBit(CtState.INVALID);
            String physOut = v.physOut;
            String out = v.out;
            v.physOut = null; // the output port is chosen after PREROUTING
            v.out = null;
            int r = R_ACCEPT;
            CtState state = null;
            for (CChain c : prerouting) {
                if (c.table.equals("mangle")) {
                    // conntrack (priority -200) runs between raw (-300) and mangle (-150)
                    state = conntrack(p, v, w);
                }
                r = w.walk(c, 0);
                if (r == R_DROP || r == R_REJECT) {
                    break;
                }
            }
            if (state == null) {
                state = conntrack(p, v, w);
            }
            v.physOut = physOut;
            v.out = out;
            if (r != R_DROP && r != R_REJECT) {
                if (natPrerouting) {
                    w.note("the nat table's PREROUTING has rules, which are not evaluated (a DNAT would change "
                            + "the destination)");
                }
                for (CChain c : p.hook() == Hook.INPUT ? input : forward) {
                    r = w.walk(c, 0);
                    if (r == R_DROP || r == R_REJECT) {
                        break;
                    }
                }
            }
            Evaluation.Outcome outcome = r == R_DROP ? Evaluation.Outcome.DROP : r == R_REJECT
                    ? Evaluation.Outcome.REJECT : Evaluation.Outcome.ACCEPT;
            Evaluation.Decision d = null;
            if (w.decChain != null) {
                CChain dc = w.decChain;
                d = w.decRule < 0 ? new Evaluation.Decision(family, dc.table, dc.name, 0, null, dc.policy)
                        : new Evaluation.Decision(family, dc.table, dc.name, w.decRule + 1, dc.sources[w.decRule],
                        null);
            }
            List<String> notes = w.notes == null ? List.of() : List.copyOf(w.notes);
            return new Evaluation(p, outcome, d, state, v.zone < 0 ? null : v.zone, !w.undecided, notes,
                    w.steps, w.n, this);
        }

        private CtState conntrack(Packet p, Conditions.View v, Walk w) {
            CtState state;
            if (v.notrack) {
                state = CtState.UNTRACKED;
            } else {
                ConntrackFacts.Effective e = ConntrackFacts.effective(p);
                state = e.state();
                if (e.note() != null) {
                    w.note(e.note());
                }
            }
            v.stateBit = Conditions.stateBit(state);
            return state;
        }

        List<Evaluation.Step> materialize(int[] s, int n) {
            List<Evaluation.Step> out = new ArrayList<>(n / 4);
            for (int i = 0; i < n; i += 4) {
                CChain c = chains.get(s[i + 1]);
                switch (s[i]) {
                    case S_ENTER -> out.add(new Evaluation.Entered(c.table, c.name));
                    case S_RULE -> {
                        int idx = s[i + 2];
                        Boolean m = s[i + 3] == Conditions.UNKNOWN ? null : s[i + 3] == Conditions.YES;
                        out.add(new Evaluation.Tried(c.table, c.name, idx + 1, c.sources[idx], m));
                    }
                    case S_SKIP -> out.add(new Evaluation.Skipped(c.table, c.name, s[i + 2] + 1, s[i + 3] + 1));
                    case S_POLICY -> out.add(new Evaluation.Policy(c.table, c.name, c.policy));
                    default -> out.add(new Evaluation.Left(c.table, c.name));
                }
            }
            return out;
        }
    }
}
