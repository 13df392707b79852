package dev.tapguard.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.server.ServerConfig;
import dev.tapguard.server.TapguardServer;
import dev.tapguard.testkit.SharedFiles;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Keystone sign-in from the console, in a real browser: {@code tapguard server --auth keystone} in front of the
 * conformance kit's Keystone (a real HTTP Keystone v3 with password authentication, on a free loopback port); a wrong
 * password gets Keystone's own refusal, a right one lists the user's project's groups through a validated token.
 */
@Tag("browser")
class ConsoleKeystoneSignInTest {
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static Path dataDir;
    private static Path profileDir;
    private static Process keystone;
    private static TapguardServer server;
    private static ChromeDriverService service;
    private static ChromeDriver driver;

    @BeforeAll
    static void start() throws IOException {
        dataDir = Files.createTempDirectory("tgcon-ks-h2-");
        profileDir = Files.createTempDirectory("tgcon-ks-chromium-");
        Files.createDirectories(SHOTS);
        Path kit = SharedFiles.shared().resolve("conformance");
        Path accounts = dataDir.resolve("accounts.yaml");
        Files.copy(kit.resolve("accounts-samples.yaml"), accounts);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        keystone = new ProcessBuilder("/usr/bin/python3", kit.resolve("fake_keystone.py").toString(),
                "--accounts", accounts.toString(), "--port", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("keystone.log").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> listening(port));
        server = TapguardServer.start(ServerConfig.keystone("jdbc:h2:file:" + dataDir.resolve("tapguard"),
                "http://127.0.0.1:" + port + "/v3"));
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1366,900", "--user-data-dir=" + profileDir);
        driver = new ChromeDriver(service, options);
    }

    private static boolean listening(int port) {
        if (!keystone.isAlive()) {
            throw new IllegalStateException("fake keystone exited: see " + dataDir.resolve("keystone.log"));
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (driver != null) {
                driver.quit();
            }
            if (service != null) {
                service.stop();
            }
            if (server != null) {
                server.close();
            }
        } finally {
            if (keystone != null) {
                keystone.destroy();
                keystone.onExit().join();
            }
            for (Path dir : new Path[] {dataDir, profileDir}) {
                if (dir != null && Files.exists(dir)) {
                    try (Stream<Path> walk = Files.walk(dir)) {
                        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aKeystoneUserSignsInAndSeesTheirProjectsGroups() throws IOException {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        driver.get(server.url() + "/console/#/security-groups");
        WebElement user = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        user.sendKeys("sample-user-a");
        driver.findElement(By.id("password")).sendKeys("wrong");
        driver.findElement(By.id("project")).sendKeys("sample-project-a");
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".login .error")));
        assertThat(error.getText()).contains("The request you have made requires authentication.");
        Files.write(SHOTS.resolve("12-keystone-sign-in-refused.png"), driver.getScreenshotAs(OutputType.BYTES));

        WebElement password = driver.findElement(By.id("password"));
        password.clear();
        password.sendKeys("secret");
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        // back where the shared URL pointed, with the project's default group listed through the validated token
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table.groups")));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("table.groups"), "default"));
        assertThat(driver.findElement(By.id("who")).getText()).contains("sample-user-a @ sample-project-a");
        assertThat(driver.findElement(By.cssSelector("table.groups")).getText())
                .doesNotContain("Project"); // a member sees their own project only, no project column
        Files.write(SHOTS.resolve("13-keystone-signed-in.png"), driver.getScreenshotAs(OutputType.BYTES));
    }
}
