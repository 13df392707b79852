package dev.tapguard.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapguard.server.ServerConfig;
import dev.tapguard.server.TapguardServer;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's headless Chromium through chromedriver) against a running
 * {@code tapguard server} (H2 in a temporary folder, noauth): the article's fix done the way its operators did it,
 * through Manage Rules -> Add Rule -> Other Protocol, then checked on the port page with a trace. Screenshots of
 * every page go to {@code target/screenshots/}.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    private static final String PROJECT = "tgcon-project-a";
    private static final String HOST = "tgcon-compute-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SHOTS = Path.of("target", "screenshots");

    private static Path dataDir;
    private static Path profileDir;
    private static TapguardServer server;
    private static ChromeDriverService service;
    private static ChromeDriver driver;
    private static WebDriverWait wait;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    // what the scenario creates, step by step
    private static String groupId;
    private static String ruleId;
    private static String portId;

    @BeforeAll
    static void start() throws IOException {
        dataDir = Files.createTempDirectory("tgcon-h2-");
        profileDir = Files.createTempDirectory("tgcon-chromium-");
        Files.createDirectories(SHOTS);
        server = TapguardServer.start(ServerConfig.noauth("jdbc:h2:file:" + dataDir.resolve("tapguard")));
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // without the background-networking flags Chromium dials out, and this closed network refuses it
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1366,900", "--user-data-dir=" + profileDir);
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            try {
                if (service != null) {
                    service.stop();
                }
            } finally {
                if (server != null) {
                    server.close();
                }
                delete(dataDir);
                delete(profileDir);
            }
        }
    }

    @Test
    @Order(1)
    void signInWithAProjectIdAndSeeTheGroups() {
        driver.get(server.url() + "/console");
        WebElement project = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("projectId")));
        shot("01-sign-in");
        project.sendKeys(PROJECT);
        driver.findElement(By.id("role-admin")).click();
        project.sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table.groups")));
        assertThat(driver.getCurrentUrl()).endsWith("/console/#/security-groups");
        // a project's first call creates its default group, as Neutron does
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("table.groups"), "default"));
        assertThat(driver.findElement(By.id("who")).getText()).contains(PROJECT);
        shot("02-security-groups");
    }

    @Test
    @Order(2)
    void createAGroup() {
        driver.findElement(By.id("create-group")).click();
        WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("dlg-name")));
        name.sendKeys("tunnel-peers");
        driver.findElement(By.id("dlg-description")).sendKeys("IP-in-IP between the edge routers");
        shot("03-create-group");
        driver.findElement(By.cssSelector("dialog button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("#/security-groups/"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("add-rule")));
        groupId = driver.getCurrentUrl().replaceAll(".*#/security-groups/", "").replaceAll("\\?.*", "");
        JsonNode g = api("GET", "/v2.0/security-groups/" + groupId, null).path("security_group");
        assertThat(g.path("name").asText()).isEqualTo("tunnel-peers");
        assertThat(g.path("description").asText()).isEqualTo("IP-in-IP between the edge routers");
        assertThat(g.path("project_id").asText()).isEqualTo(PROJECT);
        assertThat(driver.findElement(By.tagName("h1")).getText()).contains("tunnel-peers");
    }

    @Test
    @Order(3)
    void protocol94IsWarnedAboutBeforeSubmittingAndProtocol4IsAdded() {
        driver.findElement(By.id("add-rule")).click();
        new Select(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("rule-kind"))))
                .selectByVisibleText("Other Protocol");
        WebElement protocol = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ip-protocol")));
        protocol.sendKeys("94");
        WebElement warnings = driver.findElement(By.id("rule-warnings"));
        wait.until(ExpectedConditions.textToBePresentInElement(warnings, "IP-in-IP is 4"));
        assertThat(warnings.getText()).contains("Linux uses 94 for BEET").contains("IP-in-IP is 4");
        assertThat(driver.findElement(By.cssSelector("#rule-warnings li[data-code=PROTOCOL_94_IS_BEET]")).isDisplayed())
                .isTrue();
        assertThat(driver.findElement(By.id("cidr-ethertype")).getText()).isEqualTo("IPv4");
        shot("04-add-rule-warning-94");

        protocol.clear();
        protocol.sendKeys("4");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("#rule-warnings li[data-code=PROTOCOL_94_IS_BEET]")));
        driver.findElement(By.id("submit-rule")).click();
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("table.rules tr.focus")));
        ruleId = row.getAttribute("data-rule-id");
        List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        assertThat(cells.subList(0, 6)).containsExactly("Ingress", "IPv4", "4 (IP-in-IP)", "Any", "0.0.0.0/0", "-");
        shot("05-manage-rules");

        // the API has exactly that rule
        JsonNode rule = api("GET", "/v2.0/security-group-rules/" + ruleId, null).path("security_group_rule");
        assertThat(rule.path("security_group_id").asText()).isEqualTo(groupId);
        assertThat(rule.path("direction").asText()).isEqualTo("ingress");
        assertThat(rule.path("ethertype").asText()).isEqualTo("IPv4");
        assertThat(rule.path("protocol").asText()).isEqualTo("4");
        assertThat(rule.path("remote_ip_prefix").asText()).isEqualTo("0.0.0.0/0");
        assertThat(rule.path("port_range_min").isNull()).isTrue();
    }

    @Test
    @Order(4)
    void anApiErrorIsShownAsTheApiGivesIt() {
        driver.findElement(By.id("add-rule")).click();
        new Select(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("rule-kind"))))
                .selectByVisibleText("Other Protocol");
        driver.findElement(By.id("ip-protocol")).sendKeys("4");
        driver.findElement(By.id("submit-rule")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#rule-errors .error")));
        // the same request straight to the API
        String body = "{\"security_group_rule\": {\"security_group_id\": \"" + groupId + "\", \"direction\": \"ingress\", "
                + "\"protocol\": \"4\", \"remote_ip_prefix\": \"0.0.0.0/0\", \"ethertype\": \"IPv4\"}}";
        JsonNode apiError = api("POST", "/v2.0/security-group-rules", body).path("NeutronError");
        assertThat(apiError.path("type").asText()).isEqualTo("SecurityGroupRuleExists");
        assertThat(error.findElement(By.className("emsg")).getText()).isEqualTo(apiError.path("message").asText());
        assertThat(error.findElement(By.className("etype")).getText()).isEqualTo("HTTP 409 · SecurityGroupRuleExists");
        shot("06-add-rule-api-error");
        new Actions(driver).sendKeys(Keys.ESCAPE).perform();
    }

    @Test
    @Order(5)
    void thePortsListShowsGroupsAndHost() {
        String net = api("POST", "/v2.0/networks", "{\"network\": {\"name\": \"tgcon-net\"}}").path("network")
                .path("id").asText();
        api("POST", "/v2.0/subnets", "{\"subnet\": {\"network_id\": \"" + net + "\", \"ip_version\": 4, "
                + "\"cidr\": \"10.1.0.0/24\"}}");
        portId = api("POST", "/v2.0/ports", "{\"port\": {\"network_id\": \"" + net + "\", \"name\": \"edge-router-a\", "
                + "\"security_groups\": [\"" + groupId + "\"], \"binding:host_id\": \"" + HOST + "\", "
                + "\"device_owner\": \"compute:nova\", \"fixed_ips\": [{\"ip_address\": \"10.1.0.10\"}]}}")
                .path("port").path("id").asText();
        // from the keyboard: g then p
        driver.findElement(By.tagName("body")).sendKeys("g", "p");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("table.ports tr[data-id='" + portId + "']")));
        assertThat(row.getText()).contains("edge-router-a").contains("10.1.0.10").contains("tunnel-peers").contains(HOST);
        shot("07-ports");
    }

    @Test
    @Order(6)
    void thePortPageLinksEachRenderedRuleToItsSecurityGroupRule() {
        driver.findElement(By.cssSelector("table.ports tr[data-id='" + portId + "'] a.port-name")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chain")));
        WebElement link = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".chain a.sg-rule-link[data-rule-id='" + ruleId + "']")));
        WebElement row = link.findElement(By.xpath("ancestor::tr"));
        assertThat(row.getText()).contains("-p ipencap -j RETURN");
        assertThat(driver.findElement(By.cssSelector(".chain h3")).getText()).contains("neutron-openvswi-i" + portId.substring(0, 10));
        shot("08-port-effective-rules");
        link.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("table.rules tr[data-rule-id='" + ruleId + "']")));
        driver.navigate().back();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chain")));
    }

    @Test
    @Order(7)
    void aTraceNamesTheDecidingRule() {
        driver.findElement(By.id("tab-trace")).click();
        WebElement protocol = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("protocol")));
        protocol.clear();
        protocol.sendKeys("4");
        WebElement src = driver.findElement(By.id("src"));
        src.clear();
        src.sendKeys("198.51.100.7");
        driver.findElement(By.id("dport")).clear();
        driver.findElement(By.id("run-trace")).click();
        WebElement verdict = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("trace-verdict")));
        assertThat(verdict.getText()).isEqualTo("ALLOWED");
        WebElement decided = driver.findElement(By.id("trace-decided-by"));
        assertThat(decided.findElement(By.cssSelector("a.sg-rule-link")).getAttribute("data-rule-id")).isEqualTo(ruleId);
        assertThat(decided.getText()).contains("-p ipencap -j RETURN").contains("tunnel-peers");
        // the trace has a URL of its own
        assertThat(driver.getCurrentUrl()).contains("tab=trace").contains("protocol=4").contains("run=1");
        shot("09-trace-allowed");

        // protocol 94, the rule the article's operators first wrote, is not what IP-in-IP needs
        driver.get(server.url() + "/console/#/ports/" + portId + "?tab=trace&direction=ingress&protocol=94"
                + "&src=198.51.100.7&run=1");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("trace-verdict"), "DENIED"));
        assertThat(driver.findElement(By.id("trace-explanation")).getText()).contains("94");
        shot("10-trace-denied");
    }

    @Test
    @Order(8)
    void editAndDeleteAGroup() {
        String id = api("POST", "/v2.0/security-groups", "{\"security_group\": {\"name\": \"scratch\"}}")
                .path("security_group").path("id").asText();
        driver.get(server.url() + "/console/#/security-groups");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("table.groups tr[data-id='" + id + "']")));
        row.findElement(By.xpath(".//button[text()='Edit']")).click();
        WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("dlg-name")));
        name.clear();
        name.sendKeys("scratch-renamed", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("table.groups tr[data-id='" + id + "']"), "scratch-renamed"));
        assertThat(api("GET", "/v2.0/security-groups/" + id, null).path("security_group").path("name").asText())
                .isEqualTo("scratch-renamed");
        driver.findElement(By.cssSelector("table.groups tr[data-id='" + id + "']"))
                .findElement(By.xpath(".//button[text()='Delete']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog button[type=submit]"))).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("table.groups tr[data-id='" + id + "']")));
        assertThat(api("GET", "/v2.0/security-groups/" + id, null).path("NeutronError").path("type").asText())
                .isEqualTo("SecurityGroupNotFound");

        // a group in use cannot go: the API's 409, word for word, in the dialog
        driver.findElement(By.cssSelector("table.groups tr[data-id='" + groupId + "']"))
                .findElement(By.xpath(".//button[text()='Delete']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog button[type=submit]"))).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog .error")));
        JsonNode apiError = api("DELETE", "/v2.0/security-groups/" + groupId, null).path("NeutronError");
        assertThat(apiError.path("type").asText()).isEqualTo("SecurityGroupInUse");
        assertThat(error.findElement(By.className("emsg")).getText()).isEqualTo(apiError.path("message").asText());
        assertThat(error.findElement(By.className("etype")).getText()).isEqualTo("HTTP 409 · SecurityGroupInUse");
        shot("11-delete-group-in-use");
        new Actions(driver).sendKeys(Keys.ESCAPE).perform();
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode api(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("X-Project-Id", PROJECT).header("X-Roles", "admin").header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void shot(String name) {
        try {
            Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static WebDriver driver() {
        return driver;
    }
}
