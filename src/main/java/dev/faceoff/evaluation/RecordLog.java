package dev.faceoff.evaluation;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * An append-only key → bytes file: the cache that lets a long job stop and resume. Each record is
 * checksummed; a record cut short by an interruption is dropped (and the file truncated) on reopen.
 * Holds derived data (aligned crops, embeddings) on local disk for the job's own reuse only.
 */
final class RecordLog implements AutoCloseable {

    private static final int MAGIC = 0xFACE0FF1;

    private final Map<String, byte[]> entries = new ConcurrentHashMap<>();
    private final DataOutputStream out;
    private int unflushed;

    private RecordLog(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        long valid = 0;
        if (Files.exists(file)) {
            valid = readExisting(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(valid);
            }
        }
        out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), 1 << 16));
    }

    static RecordLog open(Path file) {
        try {
            return new RecordLog(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open cache " + file, e);
        }
    }

    private long readExisting(Path file) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
        long valid = 0;
        while (data.remaining() >= 12) {
            int start = data.position();
            if (data.getInt() != MAGIC) {
                break;
            }
            int keyLength = data.getInt();
            if (keyLength < 0 || keyLength > data.remaining()) {
                break;
            }
            byte[] key = new byte[keyLength];
            data.get(key);
            if (data.remaining() < 4) {
                break;
            }
            int valueLength = data.getInt();
            if (valueLength < 0 || valueLength + 8 > data.remaining()) {
                break;
            }
            byte[] value = new byte[valueLength];
            data.get(value);
            long crc = data.getLong();
            if (crc != crc(key, value)) {
                break;
            }
            entries.put(new String(key, StandardCharsets.UTF_8), value);
            valid = data.position();
            if (start == data.position()) {
                break;
            }
        }
        return valid;
    }

    byte[] get(String key) {
        return entries.get(key);
    }

    boolean contains(String key) {
        return entries.containsKey(key);
    }

    int size() {
        return entries.size();
    }

    synchronized void put(String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        try {
            out.writeInt(MAGIC);
            out.writeInt(k.length);
            out.write(k);
            out.writeInt(value.length);
            out.write(value);
            out.writeLong(crc(k, value));
            if (++unflushed >= 64) {
                out.flush();
                unflushed = 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to cache", e);
        }
        entries.put(key, value);
    }

    private static long crc(byte[] key, byte[] value) {
        CRC32 crc = new CRC32();
        crc.update(key);
        crc.update(value);
        return crc.getValue();
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
