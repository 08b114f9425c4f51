package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.faceoff.SharedData;
import dev.faceoff.testing.EndToEnd;

/**
 * The console in a real browser (Debian's headless Chromium through chromium-driver, installed by
 * {@code bin/setup --test}) against the real service, real models and LFW photos: uploads, the decision,
 * the boxes and landmarks drawn, readable errors, one-to-many, the models and experiments pages, labels
 * and a phone-width screen.
 */
@EndToEnd(properties = {
        "faceoff.experiments.default-experiment=console",
        "faceoff.experiments.definitions.console.active=true",
        "faceoff.experiments.definitions.console.variants.baseline.model=mobilefacenet-faceplugin",
        "faceoff.experiments.definitions.console.variants.baseline.weight=100",
        "faceoff.experiments.definitions.console.shadow=contrastive-mfn64-aug"})
class ConsoleBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path files;

    static WebDriver browser;
    static Path aaron1;
    static Path aaron2;
    static Path abel;
    static Path text;

    @LocalServerPort
    int port;

    /** The gallery page's subjects, in a folder of this run (the gallery models: the default and the shadow). */
    @DynamicPropertySource
    static void gallery(DynamicPropertyRegistry registry) {
        registry.add("faceoff.gallery.path", () -> files.resolve("gallery").toString());
    }

    @BeforeAll
    static void start() throws Exception {
        SharedData.pretrainedModels();
        Path lfw = SharedData.lfw();
        SharedData.require(CHROMIUM, "Chromium (bin/setup --test installs Debian's chromium)");
        SharedData.require(CHROMEDRIVER, "ChromeDriver (bin/setup --test installs Debian's chromium-driver)");
        aaron1 = lfw.resolve("Aaron_Peirsol/Aaron_Peirsol_0001.jpg");
        aaron2 = lfw.resolve("Aaron_Peirsol/Aaron_Peirsol_0002.jpg");
        abel = lfw.resolve("Abel_Pacheco/Abel_Pacheco_0001.jpg");
        text = Files.writeString(files.resolve("notes.txt"), "this is not a photo\n");
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1800", "--lang=en");
        var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void wide() {
        browser.manage().window().setSize(new Dimension(1280, 1800));
    }

    /** A screenshot for people reviewing the console: target/console/<name>.png (not an assertion). */
    static void screenshot(String name) throws java.io.IOException {
        screenshot(name, (org.openqa.selenium.TakesScreenshot) browser);
    }

    static void screenshot(String name, org.openqa.selenium.TakesScreenshot of) throws java.io.IOException {
        Path dir = Files.createDirectories(Path.of("target", "console"));
        byte[] png = of.getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
        Files.write(dir.resolve(name + ".png"), png);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    void openVerify() {
        browser.get(url("/"));
        // the model picker is filled from GET /v1/models
        waiting().until(d -> new Select(d.findElement(By.id("model"))).getOptions().size() > 1);
    }

    static String path(Path p) {
        return p.toAbsolutePath().toString();
    }

    /** Waits for the result (or error) of the submitted form and returns its card. */
    WebElement answer() {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#result > *")));
    }

    /** Uploads two photos in the two-photo mode and returns the answer's card (or error). */
    WebElement submitPair(Path first, Path second) {
        browser.findElement(By.id("image1")).sendKeys(path(first));
        browser.findElement(By.id("image2")).sendKeys(path(second));
        browser.findElement(By.id("submit")).click();
        return answer();
    }

    @Test
    void twoPhotosOfOnePersonAreAMatchWithTheirFacesDrawn() throws Exception {
        openVerify();
        new Select(browser.findElement(By.id("model"))).selectByValue("mobilefacenet-faceplugin");
        var far = new Select(browser.findElement(By.id("far")));
        assertThat(far.getOptions()).extracting(WebElement::getText)
                .anySatisfy(o -> assertThat(o).startsWith("1e-3 — threshold"));
        far.selectByValue("0.001");
        WebElement card = submitPair(aaron1, aaron2);

        assertThat(browser.findElement(By.id("decision")).getText()).isEqualTo("Same person");
        List<WebElement> boxes = card.findElements(By.cssSelector("figure .frame svg rect.face-box"));
        assertThat(boxes).hasSize(2);
        for (WebElement box : boxes) {
            assertThat(Double.parseDouble(box.getAttribute("width"))).isGreaterThan(40);
            assertThat(box.getRect().getWidth()).isGreaterThan(10);   // drawn on screen, not only in the DOM
        }
        assertThat(card.findElements(By.cssSelector("figure svg circle.landmark"))).hasSize(10);
        String facts = card.findElement(By.cssSelector("dl.facts")).getText();
        assertThat(facts).contains("mobilefacenet-faceplugin").contains("at FAR 0.001").contains("Loss")
                .contains("no experiment: model chosen in the request");
        WebElement gauge = card.findElement(By.cssSelector("[role=meter]"));
        double similarity = Double.parseDouble(gauge.getAttribute("aria-valuenow"));
        assertThat(similarity).isBetween(0.4, 1.0);
        assertThat(card.findElement(By.tagName("table")).getText()).contains("quality");
        screenshot("verify-same-person", card);
        System.out.printf("console: first answer %s ms after the click (250x250 LFW pair)%n", card.getAttribute("data-elapsed-ms"));
    }

    @Test
    void photosOfTwoPeopleAreNotAMatchAndTheExperimentShowsWhichVariantDecided() {
        openVerify();
        WebElement card = submitPair(aaron1, abel);

        assertThat(browser.findElement(By.id("decision")).getText()).isEqualTo("Different people");
        assertThat(card.findElements(By.cssSelector("svg rect.face-box"))).hasSize(2);
        // no model picked: the default experiment routed it (all its weight on the baseline)
        assertThat(card.findElement(By.cssSelector("dl.facts")).getText()).contains("console / baseline (weighted)");

        browser.get(url("/experiments.html"));
        WebElement experiment = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("experiment-console")));
        String table = experiment.findElement(By.tagName("table")).getText();
        assertThat(table).contains("baseline").contains("mobilefacenet-faceplugin");
        WebElement verified = experiment.findElement(By.xpath(".//tbody/tr[th='baseline']/td[4]"));
        assertThat(Integer.parseInt(verified.getText())).isGreaterThanOrEqualTo(1);
        // the shadow model embedded the same faces off the request path; the page refreshes until it is counted
        waiting().until(d -> d.findElement(By.id("experiment-console")).getText()
                .matches("(?s).*contrastive-mfn64-aug: [0-9.]+% of [1-9].*"));
    }

    @Test
    void aTextFileGetsAReadableErrorMessage() {
        openVerify();
        WebElement error = submitPair(aaron1, text);

        assertThat(error.getAttribute("class")).isEqualTo("error");
        assertThat(error.getAttribute("role")).isEqualTo("alert");
        assertThat(error.getText()).contains("(unsupported_image)").contains("use JPEG, PNG, WebP or BMP");
        assertThat(error.getText()).doesNotContain("{").doesNotContain("Exception");
    }

    @Test
    void oneProbeAgainstThreeCandidatesMarksTheBestMatchAndKeepsEachCandidatesError() throws Exception {
        openVerify();
        browser.findElement(By.cssSelector("input[name=mode][value=compare]")).click();
        assertThat(browser.findElement(By.id("image1")).isDisplayed()).isFalse();
        browser.findElement(By.id("probe")).sendKeys(path(aaron1));
        browser.findElement(By.id("candidates")).sendKeys(path(abel) + "\n" + path(aaron2) + "\n" + path(text));
        browser.findElement(By.id("submit")).click();
        WebElement card = answer();

        assertThat(browser.findElement(By.id("decision")).getText()).isEqualTo("Best match: candidate 2 (Aaron_Peirsol_0002.jpg)");
        List<WebElement> candidates = card.findElements(By.cssSelector("figure.candidate"));
        assertThat(candidates).hasSize(3);
        assertThat(candidates.get(0).getText()).contains("no match");
        assertThat(candidates.get(1).getAttribute("class")).contains("best");
        assertThat(candidates.get(1).getText()).contains("best match");
        assertThat(candidates.get(2).getText()).contains("unsupported_image");
        // the probe and the two photos: three boxes; the text file none
        assertThat(card.findElements(By.cssSelector("svg rect.face-box"))).hasSize(3);
        screenshot("compare-three-candidates", card);
    }

    @Test
    void theModelsPageShowsEachModelsEvaluationAndRoc() throws Exception {
        browser.get(url("/models.html"));
        WebElement card = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("model-mobilefacenet-faceplugin")));
        String text = card.getText();
        assertThat(text).contains("default").contains("LFW").contains("10-fold accuracy").contains("99.");
        assertThat(text).contains("1e-3");   // the calibrated thresholds
        assertThat(card.findElements(By.cssSelector("svg.roc polyline.curve"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("article.model")).size()).isGreaterThan(3);
        screenshot("models");
    }

    @Test
    void everyControlHasALabelAndAPhoneWidthScreenNeedsNoSideScrolling() throws Exception {
        openVerify();
        var js = (JavascriptExecutor) browser;
        Object unlabelled = js.executeScript("""
                return [...document.querySelectorAll('input, select, button')]
                  .filter(e => !(e.labels && e.labels.length) && !e.textContent.trim() && !e.getAttribute('aria-label'))
                  .map(e => e.id || e.name || e.outerHTML);""");
        assertThat((List<?>) unlabelled).isEmpty();
        // keyboard: the first Tab reaches the skip link
        browser.findElement(By.tagName("body")).sendKeys(org.openqa.selenium.Keys.TAB);
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Skip to content");

        browser.manage().window().setSize(new Dimension(390, 844));
        for (String page : List.of("/", "/models.html", "/experiments.html", "/gallery.html")) {
            browser.get(url(page));
            waiting().until(d -> d.findElements(By.cssSelector("header.top")).size() == 1);
            Number overflow = (Number) js.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertThat(overflow.intValue()).as(page).isLessThanOrEqualTo(0);
            screenshot("phone-" + (page.equals("/") ? "verify" : page.substring(1).replace(".html", "")));
        }
    }

    /** Empties a result area, then waits for the next answer's decision in it. */
    String decision(String result, String decision, String button) {
        ((JavascriptExecutor) browser).executeScript("document.getElementById(arguments[0]).replaceChildren()", result);
        browser.findElement(By.id(button)).click();
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#" + result + " #" + decision + ", #" + result + " .error"))).getText();
    }

    @Test
    void theGalleryPageEnrolsIdentifiesVerifiesAndErasesASubject() throws Exception {
        browser.get(url("/gallery.html"));
        waiting().until(d -> !d.findElement(By.id("subjects")).getText().isEmpty());
        assertThat(browser.findElement(By.cssSelector("nav a[aria-current=page]")).getText()).isEqualTo("Gallery");

        // a subject id the API refuses: its problem+json as a readable message
        browser.findElement(By.id("subject-id")).sendKeys("aaron peirsol");
        browser.findElement(By.id("create")).click();
        WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#subjects-message .error")));
        assertThat(error.getText()).contains("(invalid_subject_id)").contains("1 to 64").doesNotContain("{");

        browser.findElement(By.id("subject-id")).clear();
        browser.findElement(By.id("subject-id")).sendKeys("aaron");
        browser.findElement(By.id("metadata")).sendKeys("{\"team\": \"swim\"}");
        browser.findElement(By.id("create")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#subjects-table tr[data-subject=aaron]")));
        assertThat(browser.findElement(By.id("subjects-table")).getText()).contains("{\"team\":\"swim\"}");
        assertThat(browser.findElement(By.id("subject-title")).getText()).isEqualTo("Subject aaron");
        assertThat(browser.findElement(By.id("subject-details")).getText()).contains("No faces yet");

        browser.findElement(By.id("enrol-image")).sendKeys(path(aaron1));
        browser.findElement(By.id("enrol")).click();
        WebElement face = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#faces tbody tr")));
        assertThat(Double.parseDouble(face.findElement(By.xpath("td[1]")).getText())).isBetween(0.3, 1.0);
        assertThat(face.getText()).contains("mobilefacenet-faceplugin").contains("contrastive-mfn64-aug");
        assertThat(browser.findElement(By.id("subject-message")).getText()).startsWith("Face ").contains("enrolled");

        // another photo of the same person is identified as the subject; a stranger is not
        browser.findElement(By.id("identify-image")).sendKeys(path(aaron2));
        assertThat(decision("identify-result", "identify-decision", "identify")).isEqualTo("Match: aaron");
        String identified = browser.findElement(By.id("identify-result")).getText();
        assertThat(identified).contains("mobilefacenet-faceplugin").contains("1 subject, 1 template").contains("0.01 (a false accept per comparison");
        assertThat(browser.findElement(By.cssSelector("#candidates tbody tr")).getText()).startsWith("1 aaron").contains("match");
        screenshot("gallery");
        browser.findElement(By.id("identify-image")).sendKeys(path(abel));
        assertThat(decision("identify-result", "identify-decision", "identify")).isEqualTo("No match");
        assertThat(browser.findElement(By.cssSelector("#candidates tbody tr")).getText()).contains("aaron").contains("below threshold");

        // verified against the subject
        browser.findElement(By.id("verify-image")).sendKeys(path(aaron2));
        assertThat(decision("verify-result", "verify-decision", "verify")).isEqualTo("Yes: aaron");
        browser.findElement(By.id("verify-image")).sendKeys(path(abel));
        assertThat(decision("verify-result", "verify-decision", "verify")).isEqualTo("Not aaron");

        // erased, after a confirmation
        browser.findElement(By.id("erase")).click();
        assertThat(browser.findElement(By.id("erase-question")).getText()).contains("Erase aaron").contains("cannot be undone");
        browser.findElement(By.id("erase-yes")).click();
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("#subjects-message .note"), "Subject aaron erased."));
        assertThat(browser.findElements(By.cssSelector("tr[data-subject=aaron]"))).isEmpty();
        assertThat(browser.findElement(By.id("subject")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("identify-image")).isDisplayed()).isTrue();
        assertThat(decision("identify-result", "identify-decision", "identify")).isEqualTo("No match: the gallery is empty");
    }

    @Test
    void thePagesAllowOnlyTheirOwnScripts() throws Exception {
        var response = new Http(port).get("/");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'").contains("object-src 'none'");
        assertThat(response.body()).contains("/console/verify.js").doesNotContain("http://").doesNotContain("https://");
    }
}
