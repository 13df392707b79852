package dev.tapguard.netfilter;

import dev.tapguard.model.Ethertype;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code ipset save} output: {@code create NAME TYPE [family inet|inet6] [options]} and
 * {@code add NAME ELEMENT [nomatch] [options]} lines. Set types other than hash:net, hash:ip and list:set are
 * kept by name and type only (a rule that matches them cannot be decided). Never throws: what it does not
 * understand becomes a warning with its line.
 */
public final class IpsetSaveParser {
    private IpsetSaveParser() {
    }

    public static IpsetDump parse(String text) {
        List<ParseWarning> warnings = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Ethertype> families = new LinkedHashMap<>();
        Map<String, List<String>> members = new LinkedHashMap<>();
        Map<String, List<String>> nomatch = new LinkedHashMap<>();
        String[] lines = text == null ? new String[0] : text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            int lineNo = n + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                List<String> w = Words.split(line);
                switch (w.get(0)) {
                    case "create", "-N", "-exist" -> {
                        String name = w.get(1);
                        String type = w.get(2);
                        Ethertype fam = Ethertype.IPv4;
                        for (int i = 3; i + 1 < w.size(); i++) {
                            if (w.get(i).equals("family")) {
                                String f = w.get(i + 1);
                                fam = switch (f) {
                                    case "inet" -> Ethertype.IPv4;
                                    case "inet6" -> Ethertype.IPv6;
                                    default -> throw new IllegalArgumentException("family " + f);
                                };
                            }
                        }
                        if (types.containsKey(name)) {
                            warnings.add(new ParseWarning(lineNo, line, "set " + name + " created twice"));
                        }
                        types.put(name, type);
                        families.put(name, fam);
                        members.put(name, new ArrayList<>());
                        if (!modelled(type)) {
                            warnings.add(new ParseWarning(lineNo, line, "set type " + type
                                    + " is not modelled: rules matching " + name + " cannot be decided"));
                        }
                    }
                    case "add", "-A" -> {
                        String name = w.get(1);
                        String elem = w.get(2);
                        String type = types.get(name);
                        if (type == null) {
                            warnings.add(new ParseWarning(lineNo, line, "add to undeclared set " + name));
                            continue;
                        }
                        if (!modelled(type)) {
                            continue;
                        }
                        if (!type.equals("list:set")) {
                            AddressMask m = AddressMask.parse(elem);
                            if (m.v6() != (families.get(name) == Ethertype.IPv6)) {
                                throw new IllegalArgumentException(elem + " is not of the set's family");
                            }
                            if (m.prefixLength() < 0) {
                                throw new IllegalArgumentException(elem + " is not a CIDR");
                            }
                        }
                        boolean isNomatch = w.subList(3, w.size()).contains("nomatch");
                        (isNomatch ? nomatch.computeIfAbsent(name, k -> new ArrayList<>()) : members.get(name))
                                .add(elem);
                    }
                    default -> warnings.add(new ParseWarning(lineNo, line, "not an ipset save line"));
                }
            } catch (RuntimeException e) {
                warnings.add(new ParseWarning(lineNo, line, "could not parse (" + e.getMessage() + ")"));
            }
        }
        List<IpSet> sets = new ArrayList<>();
        members.forEach((name, m) -> sets.add(new IpSet(name, families.get(name), m)));
        return new IpsetDump(sets, types, nomatch, warnings);
    }

    static boolean modelled(String type) {
        return type.equals("hash:net") || type.equals("hash:ip") || type.equals("list:set");
    }
}
