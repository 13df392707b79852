package dev.tapguard.netfilter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Walks a probe through the tables the kernel consults for a bridged packet (br_netfilter with
 * {@code bridge-nf-call-ip(6)tables=1}): raw PREROUTING (CT zones, NOTRACK), conntrack, mangle PREROUTING, then
 * mangle, filter and security FORWARD (bridged from port to port) or INPUT (delivered to the host through the
 * bridge). Pure: compiled once from a ruleset, then each evaluation is a walk over arrays.
 *
 * <p>The compiled form is laid out for few memory reads per probe, since on a large host most of them miss the CPU's
 * caches: every rule is a short program in one {@code int[]} (its matches as opcodes with their operands inline,
 * rules with the same text sharing one program, a port's own rules next to each other); device names are packed into
 * longs ({@link DeviceName}) on both sides, so no string is read. Runs of rules that each require one exact bridge
 * port or interface are indexed by that name: a probe looks up each of its devices once (an open-addressing table),
 * which gives, for every such run, the rules of that device (with their programs' offsets); the others cannot match
 * and are reported as skipped. The walk's state is reused per thread, so an evaluation allocates only its result.
 * Matches without an opcode (multiport, sets, ...) run as the {@link Conditions} objects they were compiled to,
 * which are also what {@link #explain} reads. The nat table is not walked (a note says so when it has rules on the
 * path).
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

    // opcodes of compiled matches: code[pc] = op | (words << 8), operands follow
    private static final int OP_OBJECT = 1;
    private static final int OP_PROTO = 2;
    private static final int OP_STATE = 3;
    private static final int OP_PORTS = 4;
    private static final int OP_ICMP = 5;
    private static final int OP_ADDR4 = 6;
    private static final int OP_ADDR6 = 7;
    private static final int OP_PHYSDEV = 8;
    private static final int OP_IFACE = 9;
    private static final int OP_MAC = 10;
    private static final int OP_MARK = 11;
    private static final int OP_NEVER = 12;
    private static final int OP_ALWAYS = 13;

    // chain policies
    private static final int P_NONE = 0;
    private static final int P_ACCEPT = 1;
    private static final int P_DROP = 2;
    private static final int P_OTHER = 3;

    /** A chain in the image: id, rule count, policy, first block, blocks, then each rule's program offset. */
    private static final int CH = 5;
    /** Ints per block in {@code blockInfo}: start, end, kinds (bit k: some rule keyed by kind k). */
    private static final int BI = 4;
    /**
     * Room for the steps of a typical walk through Neutron's layout (about 35 steps); it grows. A step is its kind
     * and chain id in one int ({@code kind << 28 | chain}), then for a rule tried its index and result
     * ({@code idx << 2 | result + 1}), for skipped rules the first and last index.
     */
    private static final int STEP_INTS = 96;

    private final CompiledFamily[] families = new CompiledFamily[Family.values().length];

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
            e.families[f.ordinal()] = new CompiledFamily(f, tables.getOrDefault(f, List.of()), sets);
        }
        return e;
    }

    /** The kernel's verdict on a probe, with every step. */
    public Evaluation evaluate(Packet p) {
        return families[p.family.ordinal()].evaluate(p, true);
    }

    /** The verdict only (steps are not recorded; the decision and notes are). */
    public Evaluation verdict(Packet p) {
        return families[p.family.ordinal()].evaluate(p, false);
    }

    /** How each match of a rule reads a probe (null: cannot tell), for explaining why a rule did not match. */
    public List<MatchResult> explain(Family family, Rule rule, Packet p) {
        CompiledFamily cf = families[family.ordinal()];
        Conditions.View v = new Conditions.View();
        cf.fill(v, p);
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

    /**
     * For tests: rule {@code number} (1-based) of a chain, run as its compiled program against a probe (as the walk
     * runs it at the filter table, the packet's conntrack state applied): {@code Conditions.YES}, {@code NO} or
     * {@code UNKNOWN}.
     */
    int testCompiled(Family family, String table, String chain, int number, Packet p) {
        CompiledFamily cf = families[family.ordinal()];
        CChain c = cf.chain(table, chain);
        Conditions.View v = new Conditions.View();
        cf.fill(v, p);
        v.stateBit = Conditions.stateBit(ConntrackFacts.effective(p).state());
        return cf.matches(cf.code[cf.chainHeader[c.id] + CH + number - 1], v);
    }

    /** One match of a rule against a probe. */
    public record MatchResult(Match match, Boolean matched) {
    }

    // ------------------------------------------------------------------------------------------------ compiled form

    /** A compiled rule's conditions as objects (for notes on undecided matches) and its mark operands. */
    static final class CRule {
        final Conditions.Cond[] conds;
        final long value;
        final long mask;

        CRule(Conditions.Cond[] conds, long value, long mask) {
            this.conds = conds;
            this.value = value;
            this.mask = mask;
        }
    }

    /** A chain's names, policy and source rules, for reports; the walk reads its header in the image. */
    static final class CChain {
        final int id;
        final String table;
        final String name;
        final String policy;
        /** The rules as parsed or rendered (text, provenance), by index. */
        Rule[] sources;
        /** Decisions by rule index (the policy's at the end), made on first use. */
        Evaluation.Decision[] decisions;
        /** Its runs of device-keyed rules: the first block id and how many. */
        int firstBlock;
        int blocks;

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

        /**
         * The image the walk reads: chain headers (see {@link #CH}), rule programs (action | conditions << 8, the
         * target chain's header or the zone, the CRule index, then the conditions) and device entries (see
         * {@link #buildImage}), laid out port by port: a device's entry, then the programs of its indexed rules and
         * the chains they jump to, so that one probe's reads stay in a few neighbouring cache lines.
         */
        int[] code = new int[1 << 12];
        private int codeLen;
        /** Header offset by chain id. */
        int[] chainHeader;
        int[] blockInfo = new int[BI * 16];
        private int blockCount;
        private final List<CRule> ruleObjs = new ArrayList<>();
        private CRule[] ruleObjArray;
        /** Conditions without an opcode, run as objects. */
        private final List<Conditions.Cond> objs = new ArrayList<>();
        private Conditions.Cond[] objArray;
        /** Device names of compiled matches, for probes whose names do not pack. */
        private final List<String> strs = new ArrayList<>();
        private String[] strArray;

        /** Device index: open addressing, 4 longs a slot (packed name, length + 1 (0: free), entry offset). */
        private long[] devTable;
        private int devMask;
        /** Devices whose names do not pack, by name. */
        private final Map<String, Integer> foreignDevs = new HashMap<>();

        /** Compiled conditions by match, shared between rules (null: a comment). */
        private final Map<Match, Conditions.Cond> condCache = new HashMap<>();
        /** Rules by table and text, shared between chains (ports share their group rules). */
        private final Map<String, Unit> units = new HashMap<>();
        /** Each chain's rules, by chain id. */
        private Unit[][] chainUnits;
        /** Per device name: block key (block id * 4 + kind - 1) to its rule indices; the block's chain by id. */
        private final Map<String, TreeMap<Integer, List<Integer>>> deviceBuilders = new HashMap<>();
        private final List<Integer> blockChain = new ArrayList<>();
        /** Image positions to fill once everything is placed: {position, the Unit or the chain id placed there}. */
        private final List<Object[]> patches = new ArrayList<>();

        /** Chains walked per hook (header offsets), in the kernel's priority order. */
        final int[] prerouting;
        /** Conntrack runs before a mangle PREROUTING. */
        final boolean[] preroutingMangle;
        final int[] forward;
        final int[] input;
        final boolean natPrerouting;

        private final ThreadLocal<Walk> walks = ThreadLocal.withInitial(() -> new Walk(this));

        /** One distinct rule (table and text): its conditions, what it does, and its program once placed. */
        static final class Unit {
            final Rule rule;
            final Conditions.Cond[] conds;
            final int keyKind;
            final String keyName;
            int action;
            /** Jump/goto target chain id, or the zone. */
            int target = -1;
            int offset = -1;

            Unit(Rule rule, Conditions.Cond[] conds) {
                this.rule = rule;
                this.conds = conds;
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

        CompiledFamily(Family family, List<Table> tables, IpSetIndex sets) {
            this.family = family;
            this.sets = sets;
            List<Chain> declared = new ArrayList<>();
            for (Table t : tables) {
                Map<String, CChain> m = byTable.computeIfAbsent(t.name(), k -> new HashMap<>());
                for (Chain c : t.chains()) {
                    CChain cc = new CChain(chains.size(), t.name(), c.name(), c.builtin() ? c.policy() : null);
                    chains.add(cc);
                    declared.add(c);
                    // a chain declared twice: the last declaration is the one reached by name
                    m.put(c.name(), cc);
                }
            }
            chainUnits = new Unit[chains.size()][];
            chainHeader = new int[chains.size()];
            Arrays.fill(chainHeader, -1);
            for (CChain cc : chains) {
                prepareChain(cc, declared.get(cc.id), byTable.get(cc.table));
            }
            buildImage();
            List<CChain> pre = hook(List.of("raw", "mangle"), "PREROUTING");
            prerouting = pre.stream().mapToInt(c -> chainHeader[c.id]).toArray();
            preroutingMangle = new boolean[pre.size()];
            for (int i = 0; i < pre.size(); i++) {
                preroutingMangle[i] = pre.get(i).table.equals("mangle");
            }
            forward = hook(List.of("mangle", "filter", "security"), "FORWARD").stream()
                    .mapToInt(c -> chainHeader[c.id]).toArray();
            input = hook(List.of("mangle", "filter", "security"), "INPUT").stream()
                    .mapToInt(c -> chainHeader[c.id]).toArray();
            CChain nat = chain("nat", "PREROUTING");
            natPrerouting = nat != null && nat.sources.length > 0;
            // only the compiled form stays
            chainUnits = null;
            units.clear();
            condCache.clear();
            blockChain.clear();
            ruleObjs.clear();
            objs.clear();
            strs.clear();
        }

        CChain chain(String table, String name) {
            Map<String, CChain> m = byTable.get(table);
            return m == null ? null : m.get(name);
        }

        private List<CChain> hook(List<String> tables, String builtin) {
            List<CChain> out = new ArrayList<>();
            for (String t : tables) {
                CChain c = chain(t, builtin);
                if (c != null) {
                    out.add(c);
                }
            }
            return out;
        }

        /** A chain's rules as units (shared by text), what they do, and its runs of device-keyed rules. */
        private void prepareChain(CChain cc, Chain c, Map<String, CChain> table) {
            int n = c.rules().size();
            Unit[] us = new Unit[n];
            for (int i = 0; i < n; i++) {
                Rule r = c.rules().get(i);
                String key = cc.table + "\u0000" + r.text();
                Unit u = units.get(key);
                if (u == null) {
                    u = new Unit(r, conditions(r));
                    action(u, r, table);
                    units.put(key, u);
                }
                us[i] = u;
            }
            chainUnits[cc.id] = us;
            cc.sources = c.rules().toArray(new Rule[0]);
            cc.decisions = new Evaluation.Decision[n + 1];
            int firstBlock = blockCount;
            int i = 0;
            while (i < n) {
                if (us[i].keyKind == 0) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < n && us[j].keyKind != 0) {
                    j++;
                }
                if (j - i >= MIN_BLOCK) {
                    addBlock(cc, i, j, us);
                }
                i = j;
            }
            cc.firstBlock = firstBlock;
            cc.blocks = blockCount - firstBlock;
        }

        private void addBlock(CChain cc, int start, int end, Unit[] us) {
            int id = blockCount++;
            if (blockInfo.length < blockCount * BI) {
                blockInfo = Arrays.copyOf(blockInfo, blockInfo.length * 2);
            }
            int kinds = 0;
            for (int i = start; i < end; i++) {
                kinds |= 1 << us[i].keyKind;
                deviceBuilders.computeIfAbsent(us[i].keyName, x -> new TreeMap<>())
                        .computeIfAbsent(id * 4 + us[i].keyKind - 1, x -> new ArrayList<>()).add(i);
            }
            blockInfo[id * BI] = start;
            blockInfo[id * BI + 1] = end;
            blockInfo[id * BI + 2] = kinds;
            blockChain.add(cc.id);
        }

        /**
         * Lays out the image: device by device (the devices of one port next to each other: Neutron's tap, qvb, qvo
         * and qbr names share their tail), each device's entry, then the programs of its indexed rules and, depth
         * first, the chains they jump to that have no index of their own (a port's chains); then every chain not
         * placed yet. Device entry: count, then (block key, start, length) per list, then the lists: pairs of (rule
         * index in its chain, program offset), ascending.
         */
        private void buildImage() {
            List<String> names = new ArrayList<>(deviceBuilders.keySet());
            names.sort(java.util.Comparator.comparing((String x) -> x.length() > 3 ? x.substring(3) : x)
                    .thenComparing(x -> x));
            int packed = 0;
            for (String name : names) {
                packed += DeviceName.packs(name) ? 1 : 0;
            }
            int cap = Integer.highestOneBit(Math.max(4, packed * 2 - 1)) << 1;
            devTable = new long[cap * 4];
            devMask = cap - 1;
            for (String name : names) {
                TreeMap<Integer, List<Integer>> lists = deviceBuilders.get(name);
                int off = codeLen;
                int size = 1 + 3 * lists.size();
                for (List<Integer> l : lists.values()) {
                    size += 2 * l.size();
                }
                int[] entry = new int[size];
                entry[0] = lists.size();
                int at = 1;
                int data = 1 + 3 * lists.size();
                List<Unit> placed = new ArrayList<>();
                for (Map.Entry<Integer, List<Integer>> l : lists.entrySet()) {
                    int chain = blockChain.get(l.getKey() / 4);
                    entry[at++] = l.getKey();
                    entry[at++] = off + data;
                    entry[at++] = l.getValue().size();
                    for (int idx : l.getValue()) {
                        Unit u = chainUnits[chain][idx];
                        entry[data] = idx;
                        patches.add(new Object[] {off + data + 1, u});
                        data += 2;
                        placed.add(u);
                    }
                }
                emit(entry);
                for (Unit u : placed) {
                    place(u);
                }
                placeTargets(placed);
                if (DeviceName.packs(name)) {
                    long a = DeviceName.a(name);
                    long b = DeviceName.b(name);
                    int len = name.length();
                    int s = slot(a, b, len);
                    while (devTable[s * 4 + 2] != 0) {
                        s = (s + 1) & devMask;
                    }
                    devTable[s * 4] = a;
                    devTable[s * 4 + 1] = b;
                    devTable[s * 4 + 2] = len + 1;
                    devTable[s * 4 + 3] = off;
                } else {
                    foreignDevs.put(name, off);
                }
            }
            for (CChain c : chains) {
                if (chainHeader[c.id] < 0) {
                    placeChain(c.id);
                }
            }
            for (Object[] p : patches) {
                int pos = (Integer) p[0];
                code[pos] = p[1] instanceof Unit u ? u.offset : chainHeader[(Integer) p[1]];
            }
            code = Arrays.copyOf(code, codeLen);
            blockInfo = Arrays.copyOf(blockInfo, blockCount * BI);
            ruleObjArray = ruleObjs.toArray(new CRule[0]);
            objArray = objs.toArray(new Conditions.Cond[0]);
            strArray = strs.toArray(new String[0]);
            deviceBuilders.clear();
            patches.clear();
        }

        /**
         * The chains without an index of their own (a port's chains) that these rules jump to go right after them,
         * depth first (iteratively: user chains may nest deep).
         */
        private void placeTargets(List<Unit> from) {
            java.util.ArrayDeque<Integer> stack = new java.util.ArrayDeque<>();
            pushTargets(from, stack);
            while (!stack.isEmpty()) {
                int id = stack.pop();
                if (chainHeader[id] < 0) {
                    placeChain(id);
                    pushTargets(Arrays.asList(chainUnits[id]), stack);
                }
            }
        }

        private void pushTargets(List<Unit> us, java.util.ArrayDeque<Integer> stack) {
            for (int i = us.size() - 1; i >= 0; i--) {
                Unit u = us.get(i);
                if ((u.action == A_JUMP || u.action == A_GOTO) && chainHeader[u.target] < 0
                        && chains.get(u.target).blocks == 0) {
                    stack.push(u.target);
                }
            }
        }

        /** A chain's header, then its rules' programs not placed yet. */
        private void placeChain(int id) {
            CChain c = chains.get(id);
            Unit[] us = chainUnits[id];
            int h = codeLen;
            chainHeader[id] = h;
            int policy = c.policy == null ? P_NONE : switch (c.policy) {
                case "ACCEPT" -> P_ACCEPT;
                case "DROP" -> P_DROP;
                default -> P_OTHER;
            };
            int[] header = new int[CH + us.length];
            header[0] = id;
            header[1] = us.length;
            header[2] = policy;
            header[3] = c.firstBlock;
            header[4] = c.blocks;
            emit(header);
            for (int i = 0; i < us.length; i++) {
                patches.add(new Object[] {h + CH + i, us[i]});
                place(us[i]);
            }
        }

        /** A rule's program, once. */
        private void place(Unit u) {
            if (u.offset >= 0) {
                return;
            }
            u.offset = codeLen;
            ruleObjs.add(new CRule(u.conds, u.rule.verdict() instanceof Verdict.SetMark sm ? sm.value() : 0,
                    u.rule.verdict() instanceof Verdict.SetMark sm ? sm.mask() : 0));
            int target = u.target;
            if (u.action == A_JUMP || u.action == A_GOTO) {
                patches.add(new Object[] {codeLen + 1, u.target});
                target = -1;
            }
            emit(u.action | u.conds.length << 8, target, ruleObjs.size() - 1);
            for (Conditions.Cond c : u.conds) {
                emitCond(c);
            }
        }

        private int slot(long a, long b, int len) {
            long h = (a * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL) ^ len;
            return (int) (h ^ (h >>> 29) ^ (h >>> 43)) & devMask;
        }

        /** The image offset of a device's entry, or -1 when no indexed rule names it. */
        private int device(int len, long a, long b, String name) {
            if (len == DeviceName.ABSENT) {
                return -1;
            }
            if (len < 0 || len > DeviceName.MAX_PACKED) {
                Integer off = foreignDevs.get(name);
                return off == null ? -1 : off;
            }
            int s = slot(a, b, len);
            long[] t = devTable;
            while (true) {
                long l = t[s * 4 + 2];
                if (l == 0) {
                    return -1;
                }
                if (l == len + 1 && t[s * 4] == a && t[s * 4 + 1] == b) {
                    return (int) t[s * 4 + 3];
                }
                s = (s + 1) & devMask;
            }
        }

        private Conditions.Cond[] conditions(Rule r) {
            List<Conditions.Cond> conds = new ArrayList<>(r.matches().size());
            for (Match m : r.matches()) {
                Conditions.Cond c = condCache.get(m);
                if (c == null && !condCache.containsKey(m)) {
                    try {
                        c = Conditions.compile(m, family == Family.IPV6, sets);
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
            return conds.toArray(new Conditions.Cond[0]);
        }

        // ------------------------------------------------------------------------------------------ code emission

        /** What a rule does: its action and target chain (or zone). */
        private static void action(Unit u, Rule r, Map<String, CChain> table) {
            switch (r.verdict()) {
                case null -> u.action = A_CONTINUE;
                case Verdict.Accept a -> u.action = A_ACCEPT;
                case Verdict.Drop d -> u.action = A_DROP;
                case Verdict.Reject rj -> u.action = A_REJECT;
                case Verdict.Return rt -> u.action = A_RETURN;
                case Verdict.Jump j -> {
                    u.target = jumpTarget(j.chain(), table);
                    u.action = u.target < 0 ? A_MISSING_CHAIN : A_JUMP;
                }
                case Verdict.Goto g -> {
                    u.target = jumpTarget(g.chain(), table);
                    u.action = u.target < 0 ? A_MISSING_CHAIN : A_GOTO;
                }
                case Verdict.CtZone z -> {
                    u.action = A_ZONE;
                    u.target = z.zone();
                }
                case Verdict.CtNotrack n -> u.action = A_NOTRACK;
                case Verdict.SetMark sm -> u.action = A_MARK;
                case Verdict.Log l -> u.action = A_CONTINUE;
                case Verdict.Nflog l -> u.action = A_CONTINUE;
                case Verdict.Other o -> u.action = continues(o) ? A_CONTINUE : A_UNKNOWN_TARGET;
            }
        }

        private static int jumpTarget(String name, Map<String, CChain> table) {
            CChain t = table.get(name);
            return t == null || t.policy != null ? -1 : t.id;
        }

        private void emit(int... words) {
            if (codeLen + words.length > code.length) {
                code = Arrays.copyOf(code, Math.max(code.length * 2, codeLen + words.length));
            }
            System.arraycopy(words, 0, code, codeLen, words.length);
            codeLen += words.length;
        }

        private void op(int op, int... operands) {
            int[] w = new int[operands.length + 1];
            w[0] = op | (operands.length + 1) << 8;
            System.arraycopy(operands, 0, w, 1, operands.length);
            emit(w);
        }

        private static int hi(long v) {
            return (int) (v >>> 32);
        }

        private static int lo(long v) {
            return (int) v;
        }

        private static int b(boolean v) {
            return v ? 1 : 0;
        }

        private int str(String s) {
            strs.add(s);
            return strs.size() - 1;
        }

        /** A condition as an opcode when it has one (names must pack), else as an object. */
        private void emitCond(Conditions.Cond c) {
            switch (c) {
                case Conditions.Proto p -> op(OP_PROTO, p.num, b(p.neg));
                case Conditions.State s -> op(OP_STATE, s.bits, b(s.neg));
                case Conditions.Ports p -> op(OP_PORTS, p.proto, p.s == null ? -1 : p.s[0], p.s == null ? -1 : p.s[1],
                        p.d == null ? -1 : p.d[0], p.d == null ? -1 : p.d[1], b(p.neg));
                case Conditions.Icmp i -> op(OP_ICMP, i.v6 ? 58 : 1, i.type, i.lo, i.hi, b(i.neg));
                case Conditions.Addr a when !a.m.v6() -> op(OP_ADDR4, b(a.src), lo(a.m.maskLo()), lo(a.m.lo()),
                        b(a.neg));
                case Conditions.Addr a -> op(OP_ADDR6, b(a.src), b(a.neg), hi(a.m.maskHi()), lo(a.m.maskHi()),
                        hi(a.m.maskLo()), lo(a.m.maskLo()), hi(a.m.hi()), lo(a.m.hi()), hi(a.m.lo()), lo(a.m.lo()));
                case Conditions.Mac m -> op(OP_MAC, hi(m.mac), lo(m.mac), b(m.neg));
                case Conditions.Mark m -> op(OP_MARK, hi(m.value), lo(m.value), hi(m.mask), lo(m.mask), b(m.neg));
                case Conditions.Never n -> op(OP_NEVER);
                case Conditions.Always a -> op(OP_ALWAYS);
                case Conditions.Physdev p when (p.in == null || DeviceName.packs(p.in))
                        && (p.out == null || DeviceName.packs(p.out)) -> {
                    int flags = tri(p.bridged) | tri(p.isIn) << 2 | tri(p.isOut) << 4 | b(p.inNeg) << 6
                            | b(p.outNeg) << 7 | b(p.inPrefix) << 8 | b(p.outPrefix) << 9 | b(p.in != null) << 10
                            | b(p.out != null) << 11;
                    int inLen = p.in == null ? 0 : p.in.length();
                    int outLen = p.out == null ? 0 : p.out.length();
                    long ia = DeviceName.a(p.in);
                    long ib = DeviceName.b(p.in);
                    long oa = DeviceName.a(p.out);
                    long ob = DeviceName.b(p.out);
                    op(OP_PHYSDEV, flags, inLen, outLen, hi(ia), lo(ia), hi(ib), lo(ib), hi(oa), lo(oa), hi(ob),
                            lo(ob), p.in == null ? -1 : str(p.in), p.out == null ? -1 : str(p.out));
                }
                case Conditions.Iface i when DeviceName.packs(i.name) -> {
                    long a = DeviceName.a(i.name);
                    long bb = DeviceName.b(i.name);
                    op(OP_IFACE, i.in ? 2 : 3, b(i.prefix), b(i.neg), i.name.length(), hi(a), lo(a), hi(bb), lo(bb),
                            str(i.name));
                }
                default -> {
                    objs.add(c);
                    op(OP_OBJECT, objs.size() - 1);
                }
            }
        }

        /** xt_physdev's flag options as two bits: 0 not given, 1 given, 2 given inverted. */
        private static int tri(int flag) {
            return flag == 0 ? 0 : flag == 1 ? 1 : 2;
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

        // ------------------------------------------------------------------------------------------ matching

        /** The probe as conditions read it: copies of the packet's parsed fields, its devices looked up once. */
        void fill(Conditions.View v, Packet p) {
            v.v6 = p.v6;
            v.srcHi = p.srcHi;
            v.srcLo = p.srcLo;
            v.dstHi = p.dstHi;
            v.dstLo = p.dstLo;
            v.proto = p.protocol();
            v.sport = p.sportBits;
            v.dport = p.dportBits;
            v.icmpType = p.icmpTypeBits;
            v.icmpCode = p.icmpCodeBits;
            v.tcpFlags = p.tcpFlagBits;
            v.srcMac = p.srcMacBits;
            v.bridged = p.physInLen != DeviceName.ABSENT;
            v.physIn = p.physdevIn();
            v.physOut = p.physdevOut();
            v.in = p.inInterface();
            v.out = p.outInterface();
            device(v, 0, p.physInLen, p.physInA, p.physInB, v.physIn);
            device(v, 1, p.physOutLen, p.physOutA, p.physOutB, v.physOut);
            device(v, 2, p.inLen, p.inA, p.inB, v.in);
            if (p.outLen == p.inLen && p.outA == p.inA && p.outB == p.inB && p.outLen >= 0
                    && p.outLen <= DeviceName.MAX_PACKED) {
                v.devLen[3] = p.outLen;
                v.devA[3] = p.outA;
                v.devB[3] = p.outB;
                v.devData[3] = v.devData[2];
            } else {
                device(v, 3, p.outLen, p.outA, p.outB, v.out);
            }
            v.mark = p.mark();
            v.notrack = false;
            v.zone = -1;
        }

        private void device(Conditions.View v, int slot, int len, long a, long b, String name) {
            v.devLen[slot] = len;
            v.devA[slot] = a;
            v.devB[slot] = b;
            v.devData[slot] = device(len, a, b, name);
        }

        /** A rule's conditions, ANDed (the compiled form of {@code CRule.conds}). */
        int matches(int off, Conditions.View v) {
            int n = code[off] >>> 8;
            int pc = off + 3;
            int m = Conditions.YES;
            for (int j = 0; j < n; j++) {
                int x = test(pc, v);
                pc += code[pc] >>> 8;
                if (x == Conditions.NO) {
                    return Conditions.NO;
                }
                if (x == Conditions.UNKNOWN) {
                    m = Conditions.UNKNOWN;
                }
            }
            return m;
        }

        /** One compiled condition; each case is its {@link Conditions} class's test, on the packed operands. */
        int test(int pc, Conditions.View v) {
            int[] c = code;
            switch (c[pc] & 0xff) {
                case OP_PROTO: {
                    int num = c[pc + 1];
                    if (num < 0) {
                        return Conditions.UNKNOWN;
                    }
                    boolean neg = c[pc + 2] != 0;
                    if (num == 0) {
                        return Conditions.bool(!neg);
                    }
                    return Conditions.bool((v.proto == num) != neg);
                }
                case OP_STATE:
                    return Conditions.bool(((c[pc + 1] & v.stateBit) != 0) != (c[pc + 2] != 0));
                case OP_PORTS: {
                    if (v.proto != c[pc + 1]) {
                        return Conditions.NO;
                    }
                    boolean neg = c[pc + 6] != 0;
                    boolean unknown = false;
                    if (c[pc + 2] >= 0) {
                        if (v.sport < 0) {
                            unknown = true;
                        } else if ((v.sport >= c[pc + 2] && v.sport <= c[pc + 3]) == neg) {
                            return Conditions.NO;
                        }
                    }
                    if (c[pc + 4] >= 0) {
                        if (v.dport < 0) {
                            unknown = true;
                        } else if ((v.dport >= c[pc + 4] && v.dport <= c[pc + 5]) == neg) {
                            return Conditions.NO;
                        }
                    }
                    return unknown ? Conditions.UNKNOWN : Conditions.YES;
                }
                case OP_ICMP: {
                    if (v.proto != c[pc + 1]) {
                        return Conditions.NO;
                    }
                    int type = c[pc + 2];
                    int lo = c[pc + 3];
                    int hi = c[pc + 4];
                    boolean neg = c[pc + 5] != 0;
                    if (type < 0) {
                        return Conditions.bool(!neg);
                    }
                    if (v.icmpType < 0) {
                        return Conditions.UNKNOWN;
                    }
                    if (v.icmpType != type) {
                        return Conditions.bool(neg);
                    }
                    if ((lo != 0 || hi != 255) && v.icmpCode < 0) {
                        return Conditions.UNKNOWN;
                    }
                    boolean in = lo == 0 && hi == 255 || v.icmpCode >= lo && v.icmpCode <= hi;
                    return Conditions.bool(in != neg);
                }
                case OP_ADDR4: {
                    if (v.v6) {
                        return Conditions.UNKNOWN;
                    }
                    long a = c[pc + 1] != 0 ? v.srcLo : v.dstLo;
                    boolean in = (a & (c[pc + 2] & 0xffffffffL)) == (c[pc + 3] & 0xffffffffL);
                    return Conditions.bool(in != (c[pc + 4] != 0));
                }
                case OP_ADDR6: {
                    if (!v.v6) {
                        return Conditions.UNKNOWN;
                    }
                    boolean src = c[pc + 1] != 0;
                    long ah = src ? v.srcHi : v.dstHi;
                    long al = src ? v.srcLo : v.dstLo;
                    boolean in = (al & l(c, pc + 5)) == l(c, pc + 9) && (ah & l(c, pc + 3)) == l(c, pc + 7);
                    return Conditions.bool(in != (c[pc + 2] != 0));
                }
                case OP_PHYSDEV:
                    return physdev(c, pc, v);
                case OP_IFACE: {
                    int slot = c[pc + 1];
                    if (v.devLen[slot] == DeviceName.ABSENT) {
                        return Conditions.UNKNOWN;
                    }
                    boolean eq = nameIs(v, slot, c[pc + 2] != 0, c[pc + 4], l(c, pc + 5), l(c, pc + 7), c[pc + 9]);
                    return Conditions.bool(eq != (c[pc + 3] != 0));
                }
                case OP_MAC:
                    if (v.srcMac < 0) {
                        return Conditions.UNKNOWN;
                    }
                    return Conditions.bool((v.srcMac == l(c, pc + 1)) != (c[pc + 3] != 0));
                case OP_MARK:
                    return Conditions.bool(((v.mark & l(c, pc + 3)) == l(c, pc + 1)) != (c[pc + 5] != 0));
                case OP_NEVER:
                    return Conditions.NO;
                case OP_ALWAYS:
                    return Conditions.YES;
                default:
                    return objArray[c[pc + 1]].test(v);
            }
        }

        private static long l(int[] c, int at) {
            return (long) c[at] << 32 | (c[at + 1] & 0xffffffffL);
        }

        /** {@link Conditions.Physdev#test}, xt_physdev's physdev_mt, on packed names. */
        private int physdev(int[] c, int pc, Conditions.View v) {
            int f = c[pc + 1];
            int bridged = untri(f & 3);
            int isIn = untri(f >> 2 & 3);
            int isOut = untri(f >> 4 & 3);
            boolean inNeg = (f & 1 << 6) != 0;
            boolean outNeg = (f & 1 << 7) != 0;
            boolean hasIn = (f & 1 << 10) != 0;
            boolean hasOut = (f & 1 << 11) != 0;
            if (!v.bridged) {
                if (bridged == 1 || isIn == 1 || isOut == 1 || hasIn && !inNeg || hasOut && !outNeg) {
                    return Conditions.NO;
                }
                return Conditions.YES;
            }
            boolean outdev = v.devLen[1] != DeviceName.ABSENT;
            boolean indev = v.devLen[0] != DeviceName.ABSENT;
            if (bridged != 0 && outdev != (bridged == 1)) {
                return Conditions.NO;
            }
            if (isIn != 0 && !indev == (isIn == 1)) {
                return Conditions.NO;
            }
            if (isOut != 0 && !outdev == (isOut == 1)) {
                return Conditions.NO;
            }
            if (hasIn && indev) {
                boolean eq = nameIs(v, 0, (f & 1 << 8) != 0, c[pc + 2], l(c, pc + 4), l(c, pc + 6), c[pc + 12]);
                if (eq == inNeg) {
                    return Conditions.NO;
                }
            }
            if (!hasOut) {
                return Conditions.YES;
            }
            if (!outdev) {
                return Conditions.bool(outNeg);
            }
            boolean eq = nameIs(v, 1, (f & 1 << 9) != 0, c[pc + 3], l(c, pc + 8), l(c, pc + 10), c[pc + 13]);
            return Conditions.bool(eq != outNeg);
        }

        private static int untri(int t) {
            return t == 2 ? -1 : t;
        }

        /** The packet's device in {@code slot} equals (or, prefix, starts with) a compiled name. */
        private boolean nameIs(Conditions.View v, int slot, boolean prefix, int len, long a, long b, int str) {
            int pl = v.devLen[slot];
            if (pl >= 0) {
                if (prefix) {
                    return pl >= len && (v.devA[slot] & DeviceName.maskA(len)) == a
                            && (v.devB[slot] & DeviceName.maskB(len)) == b;
                }
                return pl == len && v.devA[slot] == a && v.devB[slot] == b;
            }
            String name = slot == 0 ? v.physIn : slot == 1 ? v.physOut : slot == 2 ? v.in : v.out;
            return prefix ? name.startsWith(strArray[str]) : name.equals(strArray[str]);
        }

        // ------------------------------------------------------------------------------------------ the walk

        /** One thread's walk state, reused from probe to probe. */
        static final class Walk {
            final CompiledFamily f;
            final Conditions.View v = new Conditions.View();
            boolean record;
            int[] steps = new int[STEP_INTS];
            int n;
            int decChain;
            int decRule;
            final ArrayList<String> notes = new ArrayList<>(2);
            boolean undecided;
            int tried;
            boolean exhausted;
            /** A block's candidate lists: image offset and length per kind (length 0: none). */
            final int[] listStart = new int[4];
            final int[] listLen = new int[4];

            Walk(CompiledFamily f) {
                this.f = f;
            }

            void reset(Packet p, boolean rec) {
                f.fill(v, p);
                record = rec;
                n = 0;
                decChain = -1;
                decRule = -1;
                notes.clear();
                undecided = false;
                tried = 0;
                exhausted = false;
            }

            void rec(int kind, int chain) {
                if (record) {
                    room(1);
                    steps[n++] = kind << 28 | chain;
                }
            }

            void recRule(int chain, int idx, int m) {
                if (record) {
                    room(2);
                    steps[n++] = S_RULE << 28 | chain;
                    steps[n++] = idx << 2 | (m + 1);
                }
            }

            void recSkip(int chain, int from, int to) {
                if (record) {
                    room(3);
                    steps[n++] = S_SKIP << 28 | chain;
                    steps[n++] = from;
                    steps[n++] = to;
                }
            }

            private void room(int k) {
                if (n + k > steps.length) {
                    steps = Arrays.copyOf(steps, steps.length * 2);
                }
            }

            void note(String s) {
                if (!notes.contains(s)) {
                    notes.add(s);
                }
            }

            /** Walks the chain whose header is at {@code h}. */
            int walk(int h, int depth) {
                int[] img = f.code;
                int c = img[h];
                rec(S_ENTER, c);
                if (depth > MAX_DEPTH) {
                    note("jumps nest deeper than " + MAX_DEPTH + " at chain " + f.chains.get(c).name
                            + ": walk stopped there");
                    undecided = true;
                    return R_RETURN;
                }
                int count = img[h + 1];
                int block = img[h + 3];
                int blocksEnd = block + img[h + 4];
                int nextStart = block < blocksEnd ? f.blockInfo[block * BI] : -1;
                int i = 0;
                while (i < count) {
                    if (i == nextStart) {
                        int b = block++;
                        nextStart = block < blocksEnd ? f.blockInfo[block * BI] : -1;
                        if (lists(b)) {
                            int r = walkCandidates(c, b, depth);
                            if (r != R_NEXT) {
                                return finish(h, r);
                            }
                            i = f.blockInfo[b * BI + 1];
                            continue;
                        }
                    }
                    int r = tryRule(c, i, img[h + CH + i], depth);
                    if (r != R_NEXT) {
                        return finish(h, r);
                    }
                    i++;
                }
                return finish(h, R_RETURN);
            }

            /**
             * Fills the block's candidate lists from the packet's devices and returns true; false when the packet
             * lacks a device name the index needs (then every rule of the block is tried).
             */
            private boolean lists(int b) {
                int kinds = f.blockInfo[b * BI + 2];
                for (int k = 1; k < 5; k++) {
                    listLen[k - 1] = 0;
                    if ((kinds & (1 << k)) == 0) {
                        continue;
                    }
                    if (v.devLen[k - 1] == DeviceName.ABSENT) {
                        if (k >= 3) {
                            return false; // an interface match on an unknown device cannot be decided
                        }
                        continue; // a physdev option on a port the packet lacks never matches
                    }
                    int d = v.devData[k - 1];
                    if (d < 0) {
                        continue;
                    }
                    int[] pool = f.code;
                    int key = b * 4 + k - 1;
                    for (int e = d + 1, end = d + 1 + 3 * pool[d]; e < end; e += 3) {
                        if (pool[e] == key) {
                            listStart[k - 1] = pool[e + 1];
                            listLen[k - 1] = pool[e + 2];
                            break;
                        }
                    }
                }
                return true;
            }

            /** The block's candidate rules in order: a merge of its (at most four) sorted lists, no allocation. */
            private int walkCandidates(int c, int b, int depth) {
                int[] pool = f.code;
                // copied to locals: a nested block reuses the list fields
                int p0 = listStart[0];
                int e0 = p0 + 2 * listLen[0];
                int p1 = listStart[1];
                int e1 = p1 + 2 * listLen[1];
                int p2 = listStart[2];
                int e2 = p2 + 2 * listLen[2];
                int p3 = listStart[3];
                int e3 = p3 + 2 * listLen[3];
                int prev = f.blockInfo[b * BI];
                while (true) {
                    int k = Integer.MAX_VALUE;
                    int off = 0;
                    if (p0 < e0) {
                        k = pool[p0];
                        off = pool[p0 + 1];
                    }
                    if (p1 < e1 && pool[p1] < k) {
                        k = pool[p1];
                        off = pool[p1 + 1];
                    }
                    if (p2 < e2 && pool[p2] < k) {
                        k = pool[p2];
                        off = pool[p2 + 1];
                    }
                    if (p3 < e3 && pool[p3] < k) {
                        k = pool[p3];
                        off = pool[p3 + 1];
                    }
                    if (k == Integer.MAX_VALUE) {
                        break;
                    }
                    if (p0 < e0 && pool[p0] == k) {
                        p0 += 2;
                    }
                    if (p1 < e1 && pool[p1] == k) {
                        p1 += 2;
                    }
                    if (p2 < e2 && pool[p2] == k) {
                        p2 += 2;
                    }
                    if (p3 < e3 && pool[p3] == k) {
                        p3 += 2;
                    }
                    if (k > prev) {
                        recSkip(c, prev, k - 1);
                    }
                    int r = tryRule(c, k, off, depth);
                    if (r != R_NEXT) {
                        return r;
                    }
                    prev = k + 1;
                }
                int end = f.blockInfo[b * BI + 1];
                if (prev < end) {
                    recSkip(c, prev, end - 1);
                }
                return R_NEXT;
            }

            private int finish(int h, int r) {
                if (r != R_RETURN) {
                    return r;
                }
                int c = f.code[h];
                int policy = f.code[h + 2];
                if (policy != P_NONE) {
                    rec(S_POLICY, c);
                    decChain = c;
                    decRule = -1;
                    if (policy == P_DROP) {
                        return R_DROP;
                    }
                    if (policy == P_OTHER) {
                        CChain cc = f.chains.get(c);
                        note("chain " + cc.name + " has policy " + cc.policy + ", taken as ACCEPT");
                    }
                    return R_ACCEPT;
                }
                rec(S_LEFT, c);
                return R_RETURN;
            }

            private int tryRule(int c, int idx, int off, int depth) {
                if (exhausted || ++tried > MAX_RULES_TRIED) {
                    if (!exhausted) {
                        exhausted = true;
                        undecided = true;
                        note("more than " + MAX_RULES_TRIED + " rules tried: the chains jump in a loop (the kernel "
                                + "would refuse to load them); walk stopped");
                    }
                    return R_RETURN;
                }
                int[] code = f.code;
                int head = code[off];
                int conds = head >>> 8;
                int m = Conditions.YES;
                int unknown = -1;
                int pc = off + 3;
                for (int j = 0; j < conds; j++) {
                    int x = f.test(pc, v);
                    if (x == Conditions.NO) {
                        m = Conditions.NO;
                        break;
                    }
                    if (x == Conditions.UNKNOWN) {
                        m = Conditions.UNKNOWN;
                        if (unknown < 0) {
                            unknown = j;
                        }
                    }
                    pc += code[pc] >>> 8;
                }
                recRule(c, idx, m);
                if (m == Conditions.NO) {
                    return R_NEXT;
                }
                if (m == Conditions.UNKNOWN) {
                    undecided = true;
                    CChain cc = f.chains.get(c);
                    note(cc.table + " " + cc.name + " rule " + (idx + 1) + ": could not decide ("
                            + Conditions.unknownReason(f.ruleObjArray[code[off + 2]].conds[unknown], v)
                            + "); taken as not matching");
                    return R_NEXT;
                }
                switch (head & 0xff) {
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
                        int res = walk(code[off + 1], depth + 1);
                        return res == R_RETURN ? R_NEXT : res;
                    }
                    case A_GOTO: {
                        int res = walk(code[off + 1], depth + 1);
                        return res == R_RETURN ? R_RETURN : res;
                    }
                    case A_ZONE:
                        v.zone = code[off + 1];
                        return R_NEXT;
                    case A_NOTRACK:
                        v.notrack = true;
                        return R_NEXT;
                    case A_MARK: {
                        CRule r = f.ruleObjArray[code[off + 2]];
                        v.mark = ((v.mark & ~r.mask) ^ r.value) & 0xffffffffL;
                        return R_NEXT;
                    }
                    case A_MISSING_CHAIN: {
                        CChain cc = f.chains.get(c);
                        note(cc.table + " " + cc.name + " rule " + (idx + 1) + ": target chain of '"
                                + cc.sources[idx].text() + "' does not exist; taken as continuing");
                        undecided = true;
                        return R_NEXT;
                    }
                    default: {
                        CChain cc = f.chains.get(c);
                        note(cc.table + " " + cc.name + " rule " + (idx + 1) + ": target '"
                                + cc.sources[idx].verdict().text() + "' is not modelled; taken as continuing");
                        undecided = true;
                        return R_NEXT;
                    }
                }
            }

            private void decide(int c, int idx) {
                decChain = c;
                decRule = idx;
            }
        }

        Evaluation evaluate(Packet p, boolean record) {
            Walk w = walks.get();
            w.reset(p, record);
            Conditions.View v = w.v;
            // raw and mangle PREROUTING see the packet before conntrack decides its state; -m state there would
            // see no conntrack entry yet (INVALID)
            v.stateBit = Conditions.stateBit(CtState.INVALID);
            // the output port is chosen after PREROUTING
            String physOut = v.physOut;
            int physOutLen = v.devLen[1];
            String out = v.out;
            int outLen = v.devLen[3];
            v.physOut = null;
            v.devLen[1] = DeviceName.ABSENT;
            v.out = null;
            v.devLen[3] = DeviceName.ABSENT;
            int r = R_ACCEPT;
            CtState state = null;
            for (int i = 0; i < prerouting.length; i++) {
                if (preroutingMangle[i]) {
                    // conntrack (priority -200) runs between raw (-300) and mangle (-150)
                    state = conntrack(p, v, w);
                }
                r = w.walk(prerouting[i], 0);
                if (r == R_DROP || r == R_REJECT) {
                    break;
                }
            }
            if (state == null) {
                state = conntrack(p, v, w);
            }
            v.physOut = physOut;
            v.devLen[1] = physOutLen;
            v.out = out;
            v.devLen[3] = outLen;
            if (r != R_DROP && r != R_REJECT) {
                if (natPrerouting) {
                    w.note("the nat table's PREROUTING has rules, which are not evaluated (a DNAT would change "
                            + "the destination)");
                }
                int[] hook = p.hook() == Hook.INPUT ? input : forward;
                for (int c : hook) {
                    r = w.walk(c, 0);
                    if (r == R_DROP || r == R_REJECT) {
                        break;
                    }
                }
            }
            Evaluation.Outcome outcome = r == R_DROP ? Evaluation.Outcome.DROP : r == R_REJECT
                    ? Evaluation.Outcome.REJECT : Evaluation.Outcome.ACCEPT;
            Evaluation.Decision d = w.decChain < 0 ? null : decision(w.decChain, w.decRule);
            List<String> notes = w.notes.isEmpty() ? List.of() : List.copyOf(w.notes);
            int[] steps = record ? Arrays.copyOf(w.steps, w.n) : null;
            return new Evaluation(p, outcome, d, state, v.zone, !w.undecided, notes, steps, record ? w.n : 0, this);
        }

        /** The decision of a rule (or of the chain's policy, rule -1), made once. */
        private Evaluation.Decision decision(int chain, int rule) {
            CChain c = chains.get(chain);
            int at = rule < 0 ? c.sources.length : rule;
            Evaluation.Decision d = c.decisions[at];
            if (d == null) {
                d = rule < 0 ? new Evaluation.Decision(family, c.table, c.name, 0, null, c.policy)
                        : new Evaluation.Decision(family, c.table, c.name, rule + 1, c.sources[rule], null);
                c.decisions[at] = d;
            }
            return d;
        }

        private static CtState conntrack(Packet p, Conditions.View v, Walk w) {
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
            List<Evaluation.Step> out = new ArrayList<>(n / 2);
            int i = 0;
            while (i < n) {
                int kind = s[i] >>> 28;
                CChain c = chains.get(s[i++] & 0x0fffffff);
                switch (kind) {
                    case S_ENTER -> out.add(new Evaluation.Entered(c.table, c.name));
                    case S_RULE -> {
                        int idx = s[i] >>> 2;
                        int m = (s[i++] & 3) - 1;
                        Boolean matched = m == Conditions.UNKNOWN ? null : m == Conditions.YES;
                        out.add(new Evaluation.Tried(c.table, c.name, idx + 1, c.sources[idx], matched));
                    }
                    case S_SKIP -> {
                        out.add(new Evaluation.Skipped(c.table, c.name, s[i] + 1, s[i + 1] + 1));
                        i += 2;
                    }
                    case S_POLICY -> out.add(new Evaluation.Policy(c.table, c.name, c.policy));
                    default -> out.add(new Evaluation.Left(c.table, c.name));
                }
            }
            return out;
        }
    }
}
