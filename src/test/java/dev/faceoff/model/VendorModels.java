package dev.faceoff.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import dev.faceoff.SharedData;

/** The vendor's original ONNX files, read from the npm tarball that models/fetch-pretrained.sh cached. */
final class VendorModels {

    private VendorModels() {
    }

    static Path tarball() {
        String cache = System.getenv().getOrDefault("FACEOFF_CACHE", System.getProperty("user.home") + "/.cache/faceoff");
        return SharedData.require(Path.of(cache, "npm", "faceplugin-face-recognition-js-0.0.1.tgz"),
                "the cached npm package (run models/fetch-pretrained.sh)");
    }

    /** Extracts {@code package/model/<file>} into {@code dir}. */
    static Path extract(String file, Path dir) throws IOException {
        String wanted = "package/model/" + file;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tarball()))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = new String(header, 0, 100, StandardCharsets.US_ASCII).replace("\0", "").trim();
                long size = Long.parseLong(new String(header, 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim(), 8);
                byte[] data = in.readNBytes((int) size);
                in.skipNBytes((512 - size % 512) % 512);
                if (name.equals(wanted)) {
                    Path out = dir.resolve(file);
                    Files.write(out, data);
                    return out;
                }
            }
        }
        throw new IOException(wanted + " not in " + tarball());
    }
}
