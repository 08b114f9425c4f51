package dev.faceoff.image;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * Format and pixel dimensions read from an image's first bytes, before any full decode, so that a
 * 20000×20000 PNG is refused without allocating its pixels. Pure; unit-tested on hand-made headers.
 */
public record ImageHeader(Format format, int width, int height) {

    public enum Format { JPEG, PNG, WEBP, BMP }

    public long pixels() {
        return (long) width * height;
    }

    /** Reads the header, or throws {@code unsupported_image} / {@code corrupt_image}. */
    public static ImageHeader read(byte[] b) {
        if (b.length >= 3 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8 && u8(b, 2) == 0xFF) {
            return jpeg(b);
        }
        if (b.length >= 8 && u8(b, 0) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return png(b);
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return webp(b);
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return bmp(b);
        }
        throw new FaceoffException(ErrorCode.UNSUPPORTED_IMAGE,
                "not a JPEG, PNG, WebP or BMP image (unrecognised signature)");
    }

    private static ImageHeader jpeg(byte[] b) {
        int i = 2;
        while (i + 4 <= b.length) {
            if (u8(b, i) != 0xFF) {
                throw corrupt("JPEG", "expected a marker at byte " + i);
            }
            int marker = u8(b, i + 1);
            if (marker == 0xFF) {           // fill byte
                i++;
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // markers without a length
                i += 2;
                continue;
            }
            int length = u16be(b, i + 2);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                if (i + 9 > b.length) {
                    break;
                }
                return checked(Format.JPEG, u16be(b, i + 7), u16be(b, i + 5));
            }
            if (marker == 0xDA || length < 2) {
                break;
            }
            i += 2 + length;
        }
        throw corrupt("JPEG", "no frame header (SOF) found");
    }

    private static ImageHeader png(byte[] b) {
        if (b.length < 24 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw corrupt("PNG", "no IHDR chunk");
        }
        return checked(Format.PNG, u32be(b, 16), u32be(b, 20));
    }

    private static ImageHeader webp(byte[] b) {
        if (b.length < 30) {
            throw corrupt("WebP", "header shorter than 30 bytes");
        }
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        return switch (chunk) {
            case "VP8 " -> checked(Format.WEBP, u16le(b, 26) & 0x3FFF, u16le(b, 28) & 0x3FFF);
            case "VP8L" -> {
                long bits = u8(b, 21) | (u8(b, 22) << 8) | (u8(b, 23) << 16) | ((long) u8(b, 24) << 24);
                yield checked(Format.WEBP, (int) (bits & 0x3FFF) + 1, (int) ((bits >> 14) & 0x3FFF) + 1);
            }
            case "VP8X" -> checked(Format.WEBP, u24le(b, 24) + 1, u24le(b, 27) + 1);
            default -> throw corrupt("WebP", "unknown chunk '" + chunk + "'");
        };
    }

    private static ImageHeader bmp(byte[] b) {
        if (b.length < 26) {
            throw corrupt("BMP", "header shorter than 26 bytes");
        }
        int dib = u32le(b, 14);
        if (dib == 12) {
            return checked(Format.BMP, u16le(b, 18), u16le(b, 20));
        }
        return checked(Format.BMP, Math.abs(u32le(b, 18)), Math.abs(u32le(b, 22)));
    }

    private static ImageHeader checked(Format format, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw corrupt(format.name(), "declares " + width + "x" + height + " pixels");
        }
        return new ImageHeader(format, width, height);
    }

    private static FaceoffException corrupt(String format, String why) {
        return new FaceoffException(ErrorCode.CORRUPT_IMAGE, "corrupt " + format + " header: " + why);
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int u16be(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    private static int u16le(byte[] b, int i) {
        return u8(b, i) | (u8(b, i + 1) << 8);
    }

    private static int u24le(byte[] b, int i) {
        return u8(b, i) | (u8(b, i + 1) << 8) | (u8(b, i + 2) << 16);
    }

    private static int u32be(byte[] b, int i) {
        return (u8(b, i) << 24) | (u8(b, i + 1) << 16) | (u8(b, i + 2) << 8) | u8(b, i + 3);
    }

    private static int u32le(byte[] b, int i) {
        return u8(b, i) | (u8(b, i + 1) << 8) | (u8(b, i + 2) << 16) | (u8(b, i + 3) << 24);
    }
}
