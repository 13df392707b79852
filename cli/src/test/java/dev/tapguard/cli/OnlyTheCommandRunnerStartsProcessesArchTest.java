package dev.tapguard.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Every command Tapguard runs (iptables, ipset, conntrack, ovs-vsctl, tcpdump, ...) goes through the agent's one
 * command runner: that is where they are logged, timed, given timeouts and sent into a namespace. The CLI sees every
 * product module, so the rule is checked here over all of them (the bench, which runs Neutron's Python reference,
 * is not product code).
 */
class OnlyTheCommandRunnerStartsProcessesArchTest {
    private static final JavaClasses PRODUCT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tapguard");

    @Test
    void everyProductModuleIsImported() {
        assertThat(PRODUCT.stream().map(c -> c.getPackageName()).distinct())
                .contains("dev.tapguard.model", "dev.tapguard.render", "dev.tapguard.server",
                        "dev.tapguard.agent.exec", "dev.tapguard.trace", "dev.tapguard.cli");
    }

    @Test
    void onlyTheAgentsCommandRunnerStartsProcesses() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.tapguard.agent.exec.ProcessCommandRunner")
                .and().resideOutsideOfPackage("dev.tapguard.bench..")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
                .orShould().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                        com.tngtech.archunit.core.domain.properties.HasName.Predicates.name("exec")).and(
                        com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                                com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                                        com.tngtech.archunit.base.DescribedPredicate.describe("Runtime",
                                                o -> o.isEquivalentTo(Runtime.class))))))
                .because("commands run through the agent's CommandRunner (logged, timed, namespaced)")
                .check(PRODUCT);
    }
}
