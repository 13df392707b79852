package dev.tapguard.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IptablesSaveParser;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.RuleParser;
import dev.tapguard.netfilter.SaveDump;
import dev.tapguard.netfilter.Table;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * The parser reads every rule the renderer writes back into the same matches and verdict (record equality), with
 * no warning; printing and parsing a whole rendered ruleset gives the same tables.
 */
class RenderedRulesParseBackTest {

    @Property(tries = 150)
    void everyRenderedRuleParsesBackToTheSameMatches(@ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        RenderedVerdictMatchesSecurityGroupsPropertyTest.Scenario s =
                RenderedVerdictMatchesSecurityGroupsPropertyTest.scenario(new Random(seed));
        for (boolean ipset : new boolean[] {true, false}) {
            RenderResult r = HybridIptablesRenderer.render(s.view(), RenderOptions.DEFAULTS.withIpset(ipset));
            for (Family f : Family.values()) {
                for (Table t : r.ruleset().tables(f)) {
                    for (Chain c : t.chains()) {
                        for (Rule rule : c.rules()) {
                            RuleParser.Parsed p = RuleParser.parse(rule.text(), null);
                            assertThat(p.warnings()).as(rule.text()).isEmpty();
                            if (rule.matches().stream().noneMatch(m -> m instanceof Match.Unknown)) {
                                assertThat(p.rule().matches()).as(rule.text()).isEqualTo(rule.matches());
                            }
                            assertThat(p.rule().verdict()).as(rule.text()).isEqualTo(rule.verdict());
                        }
                    }
                }
                SaveDump back = IptablesSaveParser.parse(IptablesSavePrinter.print(r.ruleset().tables(f)));
                assertThat(back.warnings()).isEmpty();
                assertThat(back.tables()).hasSameSizeAs(r.ruleset().tables(f));
                for (Table t : r.ruleset().tables(f)) {
                    Table b = back.table(t.name());
                    for (Chain c : t.chains()) {
                        assertThat(b.chain(c.name()).rules()).isEqualTo(c.rules());
                        assertThat(b.chain(c.name()).policy()).isEqualTo(c.policy());
                    }
                }
            }
        }
    }
}
