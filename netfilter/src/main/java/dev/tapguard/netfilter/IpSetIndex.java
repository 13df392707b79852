package dev.tapguard.netfilter;

import dev.tapguard.model.Ethertype;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Set contents prepared for lookups the way the kernel's hash:net does them: for each prefix length present, most
 * specific first, mask the address and look it up; a {@code nomatch} entry found first means no match.
 * hash:ip is hash:net with /32 (/128) entries; list:set is the union of its member sets.
 */
final class IpSetIndex {

    /** One set, or null from {@link #get} when the dump does not have it. */
    static final class Entry {
        final String name;
        final String type;
        final boolean v6;
        final boolean modelled;
        /** Prefix lengths present (members and nomatch), most specific first. */
        final int[] lengths;
        final long[] maskHi;
        final long[] maskLo;
        final HashSet<Key> members = new HashSet<>();
        final HashSet<Key> nomatch = new HashSet<>();
        /** IPv4 entries as (prefix length << 32 | network), without boxing (never negative). */
        final LongSet members4 = new LongSet();
        final LongSet nomatch4 = new LongSet();
        final List<String> listMembers;

        Entry(String name, String type, boolean v6, boolean modelled, int[] lengths, List<String> listMembers) {
            this.name = name;
            this.type = type;
            this.v6 = v6;
            this.modelled = modelled;
            this.lengths = lengths;
            this.maskHi = new long[lengths.length];
            this.maskLo = new long[lengths.length];
            for (int i = 0; i < lengths.length; i++) {
                long[] m = AddressMask.prefixMask(v6, lengths[i]);
                maskHi[i] = m[0];
                maskLo[i] = m[1];
            }
            this.listMembers = listMembers;
        }
    }

    record Key(long hi, long lo, int len) {
    }

    /**
     * An open-addressing set of non-negative longs (no boxing on lookups): a key is stored plus one, so that 0 marks
     * a free slot and a lookup reads one array.
     */
    static final class LongSet {
        private long[] keys = new long[16];
        private int size;

        void add(long k) {
            if ((size + 1) * 2 > keys.length) {
                grow();
            }
            long stored = k + 1;
            int i = slot(k, keys.length);
            while (keys[i] != 0) {
                if (keys[i] == stored) {
                    return;
                }
                i = (i + 1) & (keys.length - 1);
            }
            keys[i] = stored;
            size++;
        }

        boolean contains(long k) {
            long stored = k + 1;
            long[] t = keys;
            int i = slot(k, t.length);
            while (t[i] != 0) {
                if (t[i] == stored) {
                    return true;
                }
                i = (i + 1) & (t.length - 1);
            }
            return false;
        }

        private static int slot(long k, int n) {
            long h = k * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 32) & (n - 1);
        }

        private void grow() {
            long[] old = keys;
            keys = new long[old.length * 2];
            size = 0;
            for (long stored : old) {
                if (stored != 0) {
                    add(stored - 1);
                }
            }
        }
    }

    private final Map<String, Entry> sets = new HashMap<>();

    IpSetIndex(IpsetDump dump) {
        for (IpSet s : dump.sets()) {
            String type = dump.types().getOrDefault(s.name(), "hash:net");
            boolean v6 = s.family() == Ethertype.IPv6;
            if (type.equals("list:set")) {
                sets.put(s.name(), new Entry(s.name(), type, v6, true, new int[0], List.copyOf(s.members())));
                continue;
            }
            TreeSet<Integer> lens = new TreeSet<>(java.util.Comparator.reverseOrder());
            List<AddressMask> m = new java.util.ArrayList<>();
            List<AddressMask> nm = new java.util.ArrayList<>();
            for (String cidr : s.members()) {
                AddressMask a = AddressMask.parse(cidr);
                m.add(a);
                lens.add(a.prefixLength());
            }
            for (String cidr : dump.nomatch().getOrDefault(s.name(), List.of())) {
                AddressMask a = AddressMask.parse(cidr);
                nm.add(a);
                lens.add(a.prefixLength());
            }
            int[] l = lens.stream().mapToInt(Integer::intValue).toArray();
            Entry e = new Entry(s.name(), type, v6, IpsetSaveParser.modelled(type), l, List.of());
            m.forEach(a -> e.members.add(new Key(a.hi(), a.lo(), a.prefixLength())));
            nm.forEach(a -> e.nomatch.add(new Key(a.hi(), a.lo(), a.prefixLength())));
            if (!v6) {
                m.forEach(a -> e.members4.add(((long) a.prefixLength() << 32) | a.lo()));
                nm.forEach(a -> e.nomatch4.add(((long) a.prefixLength() << 32) | a.lo()));
            }
            sets.put(s.name(), e);
        }
        dump.types().forEach((name, type) -> sets.computeIfAbsent(name,
                n -> new Entry(n, type, false, false, new int[0], List.of())));
    }

    Entry get(String name) {
        return sets.get(name);
    }

    /** 1 member, 0 not, -1 cannot tell (set type not modelled or missing, or a family mismatch). */
    int contains(Entry e, boolean v6, long hi, long lo, int depth) {
        if (e == null || !e.modelled) {
            return -1;
        }
        if (e.listMembers != null && e.type.equals("list:set")) {
            boolean unknown = false;
            for (String member : e.listMembers) {
                int r = depth > 8 ? -1 : contains(sets.get(member), v6, hi, lo, depth + 1);
                if (r == 1) {
                    return 1;
                }
                unknown |= r < 0;
            }
            return unknown ? -1 : 0;
        }
        if (e.v6 != v6) {
            return 0;
        }
        if (!v6) {
            for (int i = 0; i < e.lengths.length; i++) {
                long k = ((long) e.lengths[i] << 32) | (lo & e.maskLo[i]);
                if (e.nomatch4.contains(k)) {
                    return 0;
                }
                if (e.members4.contains(k)) {
                    return 1;
                }
            }
            return 0;
        }
        for (int i = 0; i < e.lengths.length; i++) {
            Key k = new Key(hi & e.maskHi[i], lo & e.maskLo[i], e.lengths[i]);
            if (e.nomatch.contains(k)) {
                return 0;
            }
            if (e.members.contains(k)) {
                return 1;
            }
        }
        return 0;
    }
}
