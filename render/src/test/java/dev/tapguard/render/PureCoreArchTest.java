package dev.tapguard.render;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** model, netfilter and render are pure: no processes, sockets, files, databases, JSON or HTTP in them. */
class PureCoreArchTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tapguard.model", "dev.tapguard.netfilter", "dev.tapguard.render");

    private static final String[] IMPURE = {
        "java.lang.ProcessBuilder", "java.lang.Process", "java.lang.Runtime",
        "java.net..", "java.sql..", "javax.sql..", "java.nio.file..", "java.nio.channels..",
        "java.io.File", "java.io.FileInputStream", "java.io.FileOutputStream", "java.io.FileReader",
        "java.io.FileWriter", "java.io.RandomAccessFile",
        "com.fasterxml.jackson..", "org.jdbi..", "io.javalin..", "org.flywaydb..", "com.zaxxer..",
        "org.h2..", "org.postgresql..", "org.slf4j..", "ch.qos.logback..", "io.prometheus.."
    };

    @Test
    void theCoreImportsClasses() {
        org.assertj.core.api.Assertions.assertThat(CORE.size()).isGreaterThan(30);
    }

    @Test
    void theCoreDoesNoInputOrOutput() {
        ArchRule rule = noClasses().should().dependOnClassesThat().resideInAnyPackage(IMPURE)
                .orShould().callMethod(System.class, "getenv", String.class)
                .orShould().callMethod(System.class, "getenv")
                .because("the model, the netfilter values and the renderer are pure functions over values");
        rule.check(CORE);
    }

    @Test
    void theCoreDoesNotDependOnTheShell() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("dev.tapguard.server..", "dev.tapguard.agent..", "dev.tapguard.cli..",
                        "dev.tapguard.wire..")
                .check(CORE);
    }

    @Test
    void theModelDependsOnNothingOfTapguard() {
        noClasses().that().resideInAPackage("dev.tapguard.model..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.tapguard.netfilter..", "dev.tapguard.render..")
                .check(CORE);
    }
}
