package dev.faceoff.verification;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

class Base64ImageTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Body(Base64Image image) {
    }

    /** Decoded by the JDK, as the service decoded before (white space removed first, data: prefix cut). */
    private static byte[] jdk(String text) {
        String data = text.strip();
        if (data.startsWith("data:")) {
            int comma = data.indexOf(',');
            data = comma < 0 ? "" : data.substring(comma + 1);
        }
        try {
            return Base64.getDecoder().decode(data.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Base64Image json(String text) throws Exception {
        return JSON.readValue(JSON.writeValueAsBytes(new java.util.TreeMap<>(java.util.Map.of("image", text))), Body.class)
                .image();
    }

    @Test
    void aPhotosWorthOfRandomBytesDecodesAsTheJdkDoesInEveryForm() throws Exception {
        var random = new Random(7);
        for (int size : new int[] {1, 2, 3, 4, 5, 100, 65_537, 200_001, 1_000_000}) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            String plain = Base64.getEncoder().encodeToString(bytes);
            for (String form : new String[] {plain, "data:image/jpeg;base64," + plain, "  \n" + plain + "\n ",
                    Base64.getMimeEncoder().encodeToString(bytes), Base64.getEncoder().withoutPadding().encodeToString(bytes)}) {
                assertThat(Base64Image.of(form).bytes()).as("%d bytes, string", size).isEqualTo(bytes);
                Base64Image read = json(form);
                assertThat(read.bytes()).as("%d bytes, through Jackson", size).isEqualTo(bytes);
                assertThat(read.chars()).isEqualTo(form.length());
            }
        }
    }

    @Test
    void shortAndBrokenStringsAreJudgedAsTheJdkJudgesThem() throws Exception {
        String[] cases = {"", " ", "a", "aG", "aGk", "aGk=", "aG==", "aG=", "aGk==", "aGk=a", "a===", "=", "====",
                "aGVs*bG8=", "aGVs\r\nbG8g\n d29y bGQ=", "data:", "data:x", "data:image/png;base64,", "dat", "data",
                "datb", "data:,aGk=", "ZGF0", "ZGF0YQ==", "aGVsbG8gd29ybGQ=\u00e9", "aG k=", "aGk = ", "  aGk=  "};
        for (String text : cases) {
            byte[] expected = jdk(text);
            assertThat(Base64Image.of(text).bytes()).as("'%s'", text).isEqualTo(expected);
            assertThat(json(text).bytes()).as("'%s' through Jackson", text).isEqualTo(expected);
        }
    }

    /** The run decoder reads eight characters a step: a stranger or white space in any place of one is seen. */
    @Test
    void aStrangerOrWhiteSpaceInAnyPlaceOfARunIsJudgedAsTheJdkJudgesIt() throws Exception {
        byte[] bytes = new byte[300];
        new Random(11).nextBytes(bytes);
        String plain = Base64.getEncoder().encodeToString(bytes);
        for (int at = 0; at < 40; at++) {
            for (String odd : new String[] {"*", " ", "\n", "\u00e9", "\u0141", "=", "\u0100A"}) {
                String text = plain.substring(0, at) + odd + plain.substring(at);
                byte[] expected = jdk(text);
                assertThat(json(text).bytes()).as("'%s' at %d", odd, at).isEqualTo(expected);
                for (int chunk : new int[] {1, 3, 7, 8, 9, 64}) {
                    var decoder = new Base64Image.Decoder(text.length());
                    char[] chars = text.toCharArray();
                    for (int from = 0; from < chars.length; from += chunk) {
                        decoder.write(chars, from, Math.min(chunk, chars.length - from));
                    }
                    assertThat(decoder.finish().bytes()).as("'%s' at %d, %d chars a write", odd, at, chunk)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void nullStaysNullAndOtherTokensAreTheBodysError() throws Exception {
        assertThat(JSON.readValue("{\"image\": null}", Body.class).image()).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JSON.readValue("{\"image\": 12}", Body.class))
                .isInstanceOf(tools.jackson.databind.DatabindException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JSON.readValue("{\"image\": {\"a\": 1}}", Body.class))
                .isInstanceOf(tools.jackson.databind.DatabindException.class);
    }

    @Test
    void neverPrintsTheImage() {
        var image = Base64Image.of(Base64.getEncoder().encodeToString("secret face".getBytes(StandardCharsets.US_ASCII)));
        assertThat(image.toString()).isEqualTo("<16 chars>");
    }
}
