package dev.tapguard.render;

import dev.tapguard.netfilter.Rule;
import java.util.List;

/**
 * The rules of one port that are the same text in both families: its chain names, the dispatch rules that send its
 * traffic to its chains (or accept it, for trusted and unfiltered ports), its raw-table conntrack rules, and the
 * dispatch bucket its dispatch rules go to (-1: Neutron's shared chains).
 */
record PortRules(String in, String out, String spoof, Rule toSgChainToVm, Rule toSgChainFromVm, Rule toInChain,
                 Rule toOutChain, Rule inputToOutChain, Rule acceptToVm, Rule acceptFromVm, Rule inputAccept,
                 Rule spoofJump, List<Rule> conntrack, int bucket) {
}
