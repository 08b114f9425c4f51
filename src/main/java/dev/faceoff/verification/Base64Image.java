package dev.faceoff.verification;

import java.io.Writer;
import java.util.Arrays;

import io.swagger.v3.oas.annotations.media.Schema;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * A photo sent as a base64 string in a JSON body, decoded while Jackson reads it: the string's characters go
 * from the parser's buffers straight into the decoder ({@link JsonParser#getString(Writer)}), so a phone photo
 * never becomes a String of 5 MB, its copy in bytes and a combined character array (each of them a humongous
 * allocation the garbage collector pays for). A {@code data:} URL prefix is skipped; white space anywhere
 * (MIME-style line breaks) is ignored; padding is optional, as {@link java.util.Base64}'s decoder allows.
 *
 * @param bytes the decoded image, or null when the string is not valid base64
 * @param chars the string's length
 */
@JsonDeserialize(using = Base64Image.Reader.class)
@Schema(type = "string", format = "byte")
public record Base64Image(byte[] bytes, int chars) {

    /** Decodes a string (the same decoder as a JSON body's). */
    static Base64Image of(CharSequence text) {
        var decoder = new Decoder(text.length());
        for (int i = 0; i < text.length(); i++) {
            decoder.accept(text.charAt(i));
        }
        return decoder.finish();
    }

    public boolean valid() {
        return bytes != null;
    }

    /** Never the image (Spring logs request bodies at DEBUG). */
    @Override
    public String toString() {
        return "<" + chars + " chars>";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Base64Image that && chars == that.chars && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * chars + Arrays.hashCode(bytes);
    }

    /** The JSON form: a string; null stays null (for {@code @NotNull}); any other token is the body's error. */
    static final class Reader extends ValueDeserializer<Base64Image> {
        @Override
        public Base64Image deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (Base64Image) ctxt.handleUnexpectedToken(Base64Image.class, p);
            }
            var decoder = new Decoder(p.getStringLength());
            p.getString(decoder);
            return decoder.finish();
        }
    }

    /**
     * base64 to bytes, a character at a time: leading white space and a {@code data:...,} prefix skipped, then
     * quads of the standard alphabet; {@code =} ends the data (only white space and the rest of the padding may
     * follow). A quad of one character, or any other character, makes the string invalid.
     */
    static final class Decoder extends Writer {
        private static final int WHITE = -2;
        private static final int INVALID = -1;
        /** Every char value's: its 6 bits, {@link #WHITE} or {@link #INVALID} (indexed by any char, no range test). */
        private static final byte[] VALUES = new byte[Character.MAX_VALUE + 1];
        private static final String DATA_URL = "data:";

        static {
            Arrays.fill(VALUES, (byte) INVALID);
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            for (int i = 0; i < alphabet.length(); i++) {
                VALUES[alphabet.charAt(i)] = (byte) i;
            }
            for (char c : new char[] {' ', '\t', '\n', '\r', '\f', 0x0b, 0x1c, 0x1d, 0x1e, 0x1f}) {
                VALUES[c] = (byte) WHITE;   // Character.isWhitespace's ASCII set
            }
        }

        /** Where the decoder is: before the data (a prefix may come), in it, in its padding, or refused. */
        private enum State { START, PREFIX, DATA, PADDING, INVALID }

        private final byte[] out;
        private final int chars;
        /** How much of {@code data:} the string began with, held back until it is known to be a prefix or data. */
        private int held;
        private State state = State.START;
        private int count;
        private int quad;
        private int inQuad;
        private int padding;

        /** @param chars the string's length: the output is at most three bytes for four of its characters */
        Decoder(int chars) {
            this.chars = chars;
            this.out = new byte[chars / 4 * 3 + 2];
        }

        void accept(char c) {
            switch (state) {
                case DATA -> data(c);
                case START -> start(c);
                case PREFIX -> {
                    if (c == ',') {
                        state = State.DATA;
                    }
                }
                case PADDING -> padding(c);
                case INVALID -> { }
            }
        }

        @Override
        public void write(char[] buffer, int offset, int length) {
            int end = offset + length;
            int i = offset;
            while (i < end) {
                if (state != State.DATA) {
                    accept(buffer[i++]);
                    continue;
                }
                // a run of the alphabet without a call per character: nearly every character of a photo
                if (inQuad == 0) {
                    int from = i;
                    i = quads(buffer, i, end, out, count);
                    count += (i - from) / 4 * 3;
                }
                // then a character at a time, until a quad is whole again (back to the run) or one is not of the
                // alphabet: white space, padding or a stranger
                while (i < end && state == State.DATA) {
                    data(buffer[i++]);
                    if (inQuad == 0) {
                        break;
                    }
                }
            }
        }

        /**
         * Whole quads from {@code i}, written to {@code out} from {@code at}, until the end or a quad with another
         * character (the table's -1 and -2 keep their sign through the shifts); where it stopped. Two quads a step
         * where the output has room for both, each character looked up in a table of every char value (no range
         * test, no bounds check: a char is below its length).
         */
        private static int quads(char[] buffer, int i, int end, byte[] out, int at) {
            final byte[] v = VALUES;
            for (; i + 8 <= end && at + 6 <= out.length; i += 8, at += 6) {
                int a = v[buffer[i]] << 18 | v[buffer[i + 1]] << 12 | v[buffer[i + 2]] << 6 | v[buffer[i + 3]];
                int b = v[buffer[i + 4]] << 18 | v[buffer[i + 5]] << 12 | v[buffer[i + 6]] << 6 | v[buffer[i + 7]];
                if ((a | b) < 0) {
                    break;
                }
                out[at] = (byte) (a >> 16);
                out[at + 1] = (byte) (a >> 8);
                out[at + 2] = (byte) a;
                out[at + 3] = (byte) (b >> 16);
                out[at + 4] = (byte) (b >> 8);
                out[at + 5] = (byte) b;
            }
            for (; i + 4 <= end; i += 4, at += 3) {
                int a = v[buffer[i]] << 18 | v[buffer[i + 1]] << 12 | v[buffer[i + 2]] << 6 | v[buffer[i + 3]];
                if (a < 0) {
                    break;
                }
                out[at] = (byte) (a >> 16);
                out[at + 1] = (byte) (a >> 8);
                out[at + 2] = (byte) a;
            }
            return i;
        }

        private void start(char c) {
            if (VALUES[c] == WHITE) {
                return;
            }
            if (DATA_URL.charAt(held) == c) {
                if (++held == DATA_URL.length()) {
                    state = State.PREFIX;
                }
                return;
            }
            release();
            data(c);
        }

        /** Not a data: URL after all: what was held back ("dat" of "datb...", letters of the alphabet) is data. */
        private void release() {
            state = State.DATA;
            for (int i = 0; i < held; i++) {
                data(DATA_URL.charAt(i));
            }
            held = 0;
        }

        private void data(char c) {
            int v = VALUES[c];
            if (v >= 0) {
                quad = quad << 6 | v;
                if (++inQuad == 4) {
                    out[count++] = (byte) (quad >> 16);
                    out[count++] = (byte) (quad >> 8);
                    out[count++] = (byte) quad;
                    inQuad = 0;
                    quad = 0;
                }
            } else if (v == WHITE) {
                return;
            } else if (c == '=' && inQuad >= 2) {
                padding = 1;
                state = State.PADDING;
            } else {
                state = State.INVALID;
            }
        }

        private void padding(char c) {
            if (VALUES[c] == WHITE) {
                return;
            }
            if (c == '=' && inQuad == 2 && padding == 1) {
                padding = 2;
            } else {
                state = State.INVALID;
            }
        }

        Base64Image finish() {
            if (state == State.START) {
                release();   // a short string that began like "data:" ("dat", say), or none at all
            }
            if (state == State.INVALID || inQuad == 1 || (state == State.PADDING && inQuad == 2 && padding != 2)) {
                return new Base64Image(null, chars);
            }
            if (inQuad == 2) {
                out[count++] = (byte) (quad >> 4);
            } else if (inQuad == 3) {
                out[count++] = (byte) (quad >> 10);
                out[count++] = (byte) (quad >> 2);
            }
            return new Base64Image(count == out.length ? out : Arrays.copyOf(out, count), chars);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
