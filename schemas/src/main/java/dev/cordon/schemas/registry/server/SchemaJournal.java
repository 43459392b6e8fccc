package dev.cordon.schemas.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.schemas.registry.CompatibilityLevel;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's durable log: an append-only JSON Lines file ({@value #FILE_NAME}), one state change per
 * line, written and {@code fsync}ed before the change is applied and answered. Lines:
 * <pre>
 * {"op":"register","subject":"s","version":1,"id":1,"schema":"&lt;compact Avro JSON&gt;"}
 * {"op":"global-config","level":"FULL"}
 * {"op":"subject-config","subject":"s","level":"NONE"}
 * {"op":"subject-config-delete","subject":"s"}
 * {"op":"delete-subject","subject":"s","permanent":false}
 * </pre>
 * On open the file is read back in order. A last line that is incomplete or unreadable (a crash in the
 * middle of an append) is dropped with a WARN and cut off the file; an unreadable line before the last
 * one means real corruption and fails the open. While open, the journal holds an exclusive
 * {@link FileLock} on {@value #LOCK_FILE_NAME} next to it, so two registries cannot share one directory.
 *
 * <p>Not thread-safe by itself: {@link InMemorySchemaStore} calls it under its monitor.
 */
final class SchemaJournal implements AutoCloseable {
    /** File name of the journal inside the storage directory. */
    static final String FILE_NAME = "schemas.jsonl";
    /** File name of the lock file inside the storage directory. */
    static final String LOCK_FILE_NAME = "registry.lock";
    private static final Logger LOG = LoggerFactory.getLogger(SchemaJournal.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One state change, as journalled. */
    sealed interface Change {
    }

    record SchemaRegistered(String subject, int version, int id, String schema) implements Change {
    }

    record GlobalLevelSet(CompatibilityLevel level) implements Change {
    }

    record SubjectLevelSet(String subject, CompatibilityLevel level) implements Change {
    }

    record SubjectLevelRemoved(String subject) implements Change {
    }

    record SubjectDeleted(String subject, boolean permanent) implements Change {
    }

    private final Path file;
    private final FileOutputStream out;
    private final FileChannel lockChannel;
    private boolean closed;

    private SchemaJournal(Path file, FileOutputStream out, FileChannel lockChannel) {
        this.file = file;
        this.out = out;
        this.lockChannel = lockChannel;
    }

    /**
     * Opens (creating the directory and file when missing) the journal in {@code dir}, hands every
     * journalled change to {@code replay} in order, and leaves the file ready for appends.
     *
     * @throws UncheckedIOException  when the directory or file cannot be created, read or locked
     * @throws IllegalStateException when a line other than the last is not a valid change, or the file is
     *                               already open (locked) by another registry
     */
    static SchemaJournal open(Path dir, Consumer<Change> replay) {
        Path file = dir.resolve(FILE_NAME);
        Path lockFile = dir.resolve(LOCK_FILE_NAME);
        FileChannel lockChannel = null;
        FileOutputStream out = null;
        try {
            Files.createDirectories(dir);
            // A separate lock file: on POSIX, closing any descriptor of a file drops the process's locks on
            // it, and the journal itself is opened more than once (read back, then appended to).
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("Schema registry storage " + dir
                        + " is in use by another registry; use one registry per storage directory");
            }
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            long validLength = replay(file, replay);
            out = new FileOutputStream(file.toFile(), true);
            if (out.getChannel().size() > validLength) {
                out.getChannel().truncate(validLength);
                out.getFD().sync();
            }
            LOG.info("Schema registry journal {} opened", file);
            return new SchemaJournal(file, out, lockChannel);
        } catch (IOException e) {
            closeQuietly(out);
            closeQuietly(lockChannel);
            throw new UncheckedIOException("Cannot open the schema registry journal " + file, e);
        } catch (RuntimeException e) {
            closeQuietly(out);
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /** @return the length in bytes of the journal's valid prefix */
    private static long replay(Path file, Consumer<Change> replay) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<int[]> lines = new ArrayList<>(); // [start, endExclusive, terminated ? 1 : 0]
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(new int[] {start, i, 1});
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            lines.add(new int[] {start, bytes.length, 0});
        }
        long valid = 0;
        for (int n = 0; n < lines.size(); n++) {
            int[] line = lines.get(n);
            boolean last = n == lines.size() - 1;
            String text = new String(bytes, line[0], line[1] - line[0], StandardCharsets.UTF_8);
            Change change;
            try {
                if (line[2] == 0) {
                    throw new IllegalArgumentException("no line terminator");
                }
                if (text.isBlank()) {
                    valid = line[1] + 1L;
                    continue;
                }
                change = parse(text);
            } catch (IllegalArgumentException | JsonProcessingException e) {
                if (last) {
                    LOG.warn("Ignoring the torn last line {} of schema registry journal {} ({} bytes, {}); "
                            + "the change it held was never acknowledged", n + 1, file, line[1] - line[0], e.getMessage());
                    break;
                }
                throw new IllegalStateException("Schema registry journal " + file + " line " + (n + 1)
                        + " is corrupt (" + e.getMessage() + "); only the last line may be torn", e);
            }
            try {
                replay.accept(change);
            } catch (RuntimeException e) {
                throw new IllegalStateException("Schema registry journal " + file + " line " + (n + 1)
                        + " cannot be applied: " + e.getMessage(), e);
            }
            valid = line[1] + 1L;
        }
        return valid;
    }

    /**
     * Appends {@code change} and forces it to disk.
     *
     * @throws UncheckedIOException  when the write or the fsync fails (the change must not be applied)
     * @throws IllegalStateException when the journal is closed
     */
    void append(Change change) {
        if (closed) {
            throw new IllegalStateException("Schema registry journal " + file + " is closed");
        }
        try {
            byte[] line = (JSON.writeValueAsString(toJson(change)) + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(line);
            out.getFD().sync();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write to the schema registry journal " + file, e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(out);
        closeQuietly(lockChannel); // releases the lock
    }

    private static ObjectNode toJson(Change change) {
        ObjectNode node = JSON.createObjectNode();
        if (change instanceof SchemaRegistered r) {
            node.put("op", "register").put("subject", r.subject()).put("version", r.version()).put("id", r.id())
                    .put("schema", r.schema());
        } else if (change instanceof GlobalLevelSet g) {
            node.put("op", "global-config").put("level", g.level().name());
        } else if (change instanceof SubjectLevelSet l) {
            node.put("op", "subject-config").put("subject", l.subject()).put("level", l.level().name());
        } else if (change instanceof SubjectLevelRemoved l) {
            node.put("op", "subject-config-delete").put("subject", l.subject());
        } else if (change instanceof SubjectDeleted d) {
            node.put("op", "delete-subject").put("subject", d.subject()).put("permanent", d.permanent());
        } else {
            throw new IllegalArgumentException("unknown change " + change);
        }
        return node;
    }

    private static Change parse(String line) throws JsonProcessingException {
        JsonNode node = JSON.readTree(line);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String op = text(node, "op");
        return switch (op) {
            case "register" -> new SchemaRegistered(text(node, "subject"), number(node, "version"),
                    number(node, "id"), text(node, "schema"));
            case "global-config" -> new GlobalLevelSet(CompatibilityLevel.parse(text(node, "level")));
            case "subject-config" -> new SubjectLevelSet(text(node, "subject"),
                    CompatibilityLevel.parse(text(node, "level")));
            case "subject-config-delete" -> new SubjectLevelRemoved(text(node, "subject"));
            case "delete-subject" -> {
                JsonNode permanent = node.get("permanent");
                if (permanent == null || !permanent.isBoolean()) {
                    throw new IllegalArgumentException("\"permanent\" must be true or false");
                }
                yield new SubjectDeleted(text(node, "subject"), permanent.booleanValue());
            }
            default -> throw new IllegalArgumentException("unknown op \"" + op
                    + "\" (expected register, global-config, subject-config, subject-config-delete, delete-subject)");
        };
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return value.textValue();
    }

    private static int number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 1) {
            throw new IllegalArgumentException("\"" + field + "\" must be an integer >= 1");
        }
        return value.intValue();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("ignored on close", e);
            }
        }
    }
}
