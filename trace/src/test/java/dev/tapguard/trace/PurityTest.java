package dev.tapguard.trace;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The diagnosis code is pure: no processes, sockets, files, databases, JSON or HTTP in trace, netfilter, lint. */
class PurityTest {

    @Test
    void traceNetfilterAndLintDoNoInputOrOutput() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tapguard.trace", "dev.tapguard.netfilter", "dev.tapguard.model.lint");
        noClasses().should().dependOnClassesThat().resideInAnyPackage("java.net..", "java.nio.file..", "java.sql..",
                        "com.fasterxml.jackson..", "io.javalin..", "org.jdbi..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Runtime")
                .check(classes);
    }
}
