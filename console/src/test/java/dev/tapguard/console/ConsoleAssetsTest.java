package dev.tapguard.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsoleAssetsTest {

    @Test
    void emptyPathServesTheIndexPage() {
        var index = ConsoleAssets.find("").orElseThrow();
        assertThat(index.path()).isEqualTo("index.html");
        assertThat(index.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(new String(index.bytes(), StandardCharsets.UTF_8)).contains("<script type=\"module\" src=\"js/app.js\">");
        assertThat(index.etag()).matches("\"[0-9a-f]{24}\"");
    }

    @Test
    void scriptsAreServedAsJavaScriptModules() {
        assertThat(ConsoleAssets.find("js/pages/rules.js").orElseThrow().contentType())
                .isEqualTo("text/javascript; charset=utf-8");
        assertThat(ConsoleAssets.find("app.css").orElseThrow().contentType()).startsWith("text/css");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../pom.xml", "js/../index.html", "/etc/passwd", "js//app.js", "js\\app.js",
        "%2e%2e/x.js", "index.html/", ".hidden.js", "js/app.js?x", "ConsoleAssets.class", "js", "nothere.js"})
    void pathsThatCouldClimbOutOrAreUnknownResolveToNothing(String path) {
        assertThat(ConsoleAssets.find(path)).isEmpty();
    }

    /** Every module an asset imports or links exists, and nothing is loaded from outside the machine. */
    @Test
    void everyReferencedAssetExistsAndNoneIsExternal() {
        Pattern ref = Pattern.compile("(?:from\\s+|import\\s*\\(\\s*|src=|href=)['\"]([^'\"#]+)['\"]");
        for (String file : new String[] {"index.html", "js/app.js", "js/pages/rules.js", "js/pages/port.js",
            "js/pages/groups.js", "js/pages/ports.js", "js/pages/login.js", "js/lint.js", "js/rules.js",
            "js/dialog.js", "js/api.js", "js/nav.js", "js/dom.js", "js/session.js", "js/protocols.js"}) {
            String text = new String(ConsoleAssets.find(file).orElseThrow().bytes(), StandardCharsets.UTF_8);
            assertThat(text).doesNotContainPattern("https?://");
            Matcher m = ref.matcher(text);
            String dir = file.contains("/") ? file.substring(0, file.lastIndexOf('/') + 1) : "";
            while (m.find()) {
                String target = java.nio.file.Path.of("/" + dir + m.group(1)).normalize().toString().substring(1);
                assertThat(ConsoleAssets.find(target)).as(file + " -> " + m.group(1)).isPresent();
            }
        }
    }
}
