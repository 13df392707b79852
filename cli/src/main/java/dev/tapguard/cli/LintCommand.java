package dev.tapguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.lint.LintFinding;
import dev.tapguard.model.lint.SecurityGroupLinter;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tapguard lint}: valid security groups that are probably not what was meant. */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Warn about security groups that the API accepts but that are probably wrong: protocol 94 "
                + "(Linux uses 94 for BEET; IP-in-IP is 4), duplicate and shadowed rules, sensitive ports or all "
                + "traffic open to 0.0.0.0/0 or ::/0, egress removed, host bits in prefixes, and similar.",
            "Input: Neutron API JSON files ({\"security_group\": ...} or {\"security_groups\": [...]}), or a project or "
                + "group read from --server."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:no warning (information only)", "1:warnings", "2:bad input or usage",
            "3:the server could not be reached or answered with an error"})
final class LintCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Option(names = "--project", paramLabel = "ID", description = "with --server: lint every group of the project")
    String project;

    @Option(names = "--group", paramLabel = "ID", description = "with --server: lint one group")
    String group;

    @Option(names = "--format", defaultValue = "text", description = "text (default) or json")
    String format;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "security group JSON files ('-' reads stdin)")
    List<String> files = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("text") && !format.equals("json")) {
            err.println("tapguard lint: --format must be text or json");
            return 2;
        }
        List<SecurityGroup> groups = new ArrayList<>();
        try {
            if (server.url != null) {
                if ((project == null) == (group == null)) {
                    throw new IllegalArgumentException("with --server give --project ID or --group ID");
                }
                JsonNode root = group != null ? server.client().securityGroup(group)
                        : server.client().securityGroups(project);
                groups.addAll(NeutronJson.groups(root));
            } else if (files.isEmpty()) {
                throw new IllegalArgumentException("give security group JSON files, or --server URL --project ID");
            }
            for (String f : files) {
                String text = f.equals("-") ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                        : TraceCommand.read(Path.of(f));
                JsonNode root;
                try {
                    root = HostDocuments.MAPPER.readTree(text);
                } catch (IOException e) {
                    throw new IllegalArgumentException(f + ": invalid JSON: " + e.getMessage());
                }
                try {
                    groups.addAll(NeutronJson.groups(root));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(f + ": " + e.getMessage());
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            err.println("tapguard lint: " + e.getMessage());
            return 2;
        } catch (TapguardClient.RemoteException e) {
            err.println("tapguard lint: " + e.getMessage());
            return 3;
        }
        List<LintFinding> findings = groups.size() == 1 ? SecurityGroupLinter.lint(groups.get(0))
                : SecurityGroupLinter.lintProject(groups);
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals("json")) {
            ArrayNode a = HostDocuments.MAPPER.createArrayNode();
            for (LintFinding f : findings) {
                a.addObject().put("code", f.code().name()).put("severity", f.severity().name())
                        .put("security_group_id", f.securityGroupId())
                        .put("security_group_rule_id", f.securityGroupRuleId()).put("message", f.message());
            }
            try {
                out.println(HostDocuments.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(a));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            for (LintFinding f : findings) {
                out.println(f.severity().name().toLowerCase(Locale.ROOT) + ": " + f.code().name().toLowerCase(
                        Locale.ROOT).replace('_', '-') + ": group " + f.securityGroupId()
                        + (f.securityGroupRuleId() == null ? "" : " rule " + f.securityGroupRuleId()) + ": "
                        + f.message());
            }
            out.println(groups.size() + " group" + (groups.size() == 1 ? "" : "s") + ", " + findings.size()
                    + " finding" + (findings.size() == 1 ? "" : "s"));
        }
        out.flush();
        return findings.stream().anyMatch(f -> f.severity() == LintFinding.Severity.WARNING) ? 1 : 0;
    }
}
