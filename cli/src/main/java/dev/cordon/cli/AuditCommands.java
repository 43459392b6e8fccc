package dev.cordon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.AuditVerifier;
import dev.cordon.audit.CheckpointKeys;
import dev.cordon.audit.merkle.NoteVerifier;
import dev.cordon.audit.tools.Bundle;
import dev.cordon.audit.tools.DatabaseTrail;
import dev.cordon.audit.tools.LogVerifier;
import dev.cordon.audit.tools.LogVerifyReport;
import dev.cordon.audit.tools.Proofs;
import dev.cordon.audit.tools.Replay;
import dev.cordon.audit.tools.TrailSource;
import dev.cordon.audit.tools.Why;
import dev.cordon.audit.tools.Witness;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cordon audit …}: the auditor's tools. Thin wrappers over {@code dev.cordon.audit.tools}; exit codes:
 * 0 OK, 1 a check failed (or the witness refused), 2 bad usage or input. Results go to stdout; progress, notes and
 * hints to stderr.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Auditor's tools.",
        subcommands = {AuditCommands.Verify.class, AuditCommands.Prove.class, AuditCommands.VerifyProof.class,
                AuditCommands.Export.class, AuditCommands.ReplayCmd.class, AuditCommands.WhyCmd.class,
                AuditCommands.WitnessCmd.class, AuditCommands.PublicKey.class, AuditCommands.Checkpoints.class})
public final class AuditCommands implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Database options shared by the subcommands. */
    static final class Db {
        @Mixin
        JdbcOptions jdbc;
        @Option(names = "--config", description = "Properties file with jdbc.url / jdbc.user / jdbc.password.")
        Path config;
        /** The subcommand this mixin is part of: tells whether it also reads {@code --bundle}. */
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec mixee;

        /**
         * @return a data source for {@code jdbc.url} from the flags, environment or {@code --config}
         * @throws IllegalArgumentException (exit code 2) when no URL is given, naming {@code --jdbc-url} and its alternatives
         */
        PGSimpleDataSource dataSource() throws IOException {
            Map<String, Object> s = ConfigSources.resolve(config, System.getenv(), jdbc.flags());
            Object url = s.get("jdbc.url");
            if (url == null) {
                boolean bundles = mixee != null && mixee.findOption("--bundle") != null;
                throw new IllegalArgumentException("--jdbc-url is required (or jdbc.url in --config FILE, or CORDON_JDBC_URL"
                        + (bundles ? "; or --bundle FILE to read an export bundle instead" : "") + ")");
            }
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url.toString());
            if (s.get("jdbc.user") != null) {
                ds.setUser(s.get("jdbc.user").toString());
            }
            if (s.get("jdbc.password") != null) {
                ds.setPassword(s.get("jdbc.password").toString());
            }
            return ds;
        }
    }

    /** Keys given as verifier-key text, or as {@code @FILE} / a file path holding one key per line. */
    static List<String> keys(List<String> given) throws IOException {
        List<String> out = new ArrayList<>();
        for (String k : given == null ? List.<String>of() : given) {
            Path p = Path.of(k.startsWith("@") ? k.substring(1) : k);
            if (k.startsWith("@") || (!k.contains("+") && Files.exists(p))) {
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && !line.startsWith("#") && !line.startsWith("PRIVATE+KEY+")) {
                        out.add(line.strip());
                    }
                }
            } else {
                out.add(k.strip());
            }
        }
        return out;
    }

    /** Parses ISO-8601 instants or epoch milliseconds. */
    static Instant instant(String s, String option) {
        try {
            return s.matches("-?\\d+") ? Instant.ofEpochMilli(Long.parseLong(s)) : Instant.parse(s);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(option + ": '" + s
                    + "' is neither an ISO-8601 instant (2026-11-26T12:00:00Z) nor epoch milliseconds");
        }
    }

    /** {@code cordon audit verify}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify the trail (database or --bundle): hash chain, Merkle tree, every checkpoint signature, "
                    + "consistency with your last verified checkpoint (--state). Exit 0 OK, 1 naming the first problem.")
    public static final class Verify implements Callable<Integer> {
        @Mixin
        Db db;
        @Option(names = "--bundle", paramLabel = "FILE", description = "Verify an export bundle instead of the database.")
        Path bundle;
        @Option(names = "--public-key", paramLabel = "VKEY|@FILE",
                description = "Trusted checkpoint verifier key(s) (all keys ever used, for rotated logs).")
        List<String> publicKeys;
        @Option(names = "--state", paramLabel = "FILE",
                description = "Your state file: the last checkpoint you verified; checked, then advanced when all is OK.")
        Path state;
        @Option(names = "--no-update-state", description = "Check against --state but do not advance it.")
        boolean noUpdate;
        @Option(names = "--require-witnesses", paramLabel = "N", defaultValue = "0",
                description = "Require N witness cosignatures on a checkpoint.")
        int requireWitnesses;
        @Option(names = "--witness-key", paramLabel = "VKEY|@FILE", description = "Witness cosignature verifier key(s).")
        List<String> witnessKeys;
        @Option(names = "--chain-only", description = "Only the hash chain of the database (the pre-Merkle check).")
        boolean chainOnly;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (chainOnly) {
                var report = AuditVerifier.verify(db.dataSource());
                out.println(report.ok() ? "OK: " + report.entries() + " entries, head " + report.headHash()
                        : "BROKEN at entry " + report.firstBadSequence() + ": " + report.problem());
                return report.ok() ? 0 : 1;
            }
            long started = System.nanoTime();
            LogVerifyReport r;
            try (TrailSource src = bundle != null ? Bundle.open(bundle) : DatabaseTrail.open(db.dataSource())) {
                Progress progress = new Progress(err, "verifying", src.expectedEntries());
                LogVerifier.Options o = new LogVerifier.Options(keys(publicKeys), state, !noUpdate, requireWitnesses,
                        keys(witnessKeys), progress);
                r = LogVerifier.verify(src, o);
                progress.done();
            }
            double s = (System.nanoTime() - started) / 1e9;
            r.notes().forEach(n -> err.println("note: " + n));
            if (publicKeys == null || publicKeys.isEmpty()) {
                err.println("hint: get the log's public key from the operator out of band (`cordon audit public-key`"
                        + " shows where it is) and pass --public-key FILE");
            }
            if (r.ok()) {
                out.printf("OK: %,d entries, tree size %d, root %s%n", r.entries(), r.treeSize(), r.rootHash());
                out.printf("    %d checkpoint signature(s) verified, newest checkpoint size %d%s%n", r.checkpointsVerified(),
                        r.latestCheckpointSize(), r.witnessedSize() == null ? ""
                                : "; " + requireWitnesses + " witness cosignature(s) up to size " + r.witnessedSize());
                if (r.stateCheck() != null) {
                    out.println("    " + r.stateCheck());
                }
                if (state != null) {
                    out.println("    state " + state + (noUpdate ? " (not advanced: --no-update-state)"
                            : r.latestCheckpointSize() > 0 ? " now holds checkpoint size " + AuditorStateView.size(state)
                            : " unchanged (no checkpoint)"));
                }
                out.printf("    (%.1f s)%n", s);
                return 0;
            }
            out.println("BROKEN" + (r.firstBadEntry() == null ? "" : " at entry " + r.firstBadEntry()) + ": " + r.problem());
            if (state != null) {
                out.println("    state " + state + " was not advanced");
            }
            return 1;
        }
    }

    /** {@code cordon audit prove}. */
    @Command(name = "prove", mixinStandardHelpOptions = true,
            description = "Write an inclusion proof (--entry N, against the newest checkpoint) or a consistency proof "
                    + "(--consistency A B, two checkpoint sizes), built from the stored tree nodes.")
    public static final class Prove implements Callable<Integer> {
        @Mixin
        Db db;
        @Option(names = "--entry", paramLabel = "N", description = "Entry sequence number.")
        Long entry;
        @Option(names = "--consistency", arity = "2", paramLabel = "SIZE", description = "Two checkpoint sizes A B.")
        List<Long> consistency;
        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the proof here (default: stdout).")
        Path outFile;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if ((entry == null) == (consistency == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --entry N, --consistency A B");
            }
            ObjectNode proof;
            try (DatabaseTrail src = DatabaseTrail.open(db.dataSource())) {
                proof = entry != null ? Proofs.proveInclusion(src, entry)
                        : Proofs.proveConsistency(src, consistency.get(0), consistency.get(1));
            }
            String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(proof) + "\n";
            if (outFile != null) {
                Files.writeString(outFile, text, StandardCharsets.UTF_8);
                spec.commandLine().getErr().println("wrote " + outFile);
            } else {
                spec.commandLine().getOut().print(text);
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }

    /** {@code cordon audit verify-proof}. */
    @Command(name = "verify-proof", mixinStandardHelpOptions = true,
            description = "Check a proof file with only the proof, the entry and the public key (no database).")
    public static final class VerifyProof implements Callable<Integer> {
        @Parameters(paramLabel = "PROOF_FILE")
        Path proofFile;
        @Option(names = "--entry-file", paramLabel = "FILE", description = "The entry as JSON (default: the one in the proof file).")
        Path entryFile;
        @Option(names = "--public-key", required = true, paramLabel = "VKEY|@FILE", description = "Trusted verifier key(s).")
        List<String> publicKeys;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Proofs.Check c = Proofs.verify(Files.readString(proofFile, StandardCharsets.UTF_8),
                    entryFile == null ? null : Files.readString(entryFile, StandardCharsets.UTF_8), keys(publicKeys));
            spec.commandLine().getOut().println((c.ok() ? "OK: " : "FAILED: ") + c.message());
            return c.ok() ? 0 : 1;
        }
    }

    /** {@code cordon audit export}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write a self-contained bundle (JSON Lines: header with keys, checkpoints, entries) of the entries "
                    + "recorded between --from and --to, extended to the next checkpoint; verify it with verify --bundle.")
    public static final class Export implements Callable<Integer> {
        @Mixin
        Db db;
        @Option(names = "--from", defaultValue = "0", paramLabel = "T", description = "ISO-8601 instant or epoch ms (default: start).")
        String from;
        @Option(names = "--to", paramLabel = "T", description = "ISO-8601 instant or epoch ms (default: now).")
        String to;
        @Parameters(paramLabel = "FILE")
        Path file;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            long a = instant(from, "--from").toEpochMilli();
            long b = to == null ? Long.MAX_VALUE : instant(to, "--to").toEpochMilli();
            try (DatabaseTrail src = DatabaseTrail.open(db.dataSource())) {
                Progress progress = new Progress(spec.commandLine().getErr(), "exporting", 0);
                Bundle.ExportResult r = Bundle.export(src, a, b, file, progress);
                progress.done();
                spec.commandLine().getOut().printf("exported entries %d..%d with %d checkpoint(s) to %s%n", r.firstSeq(),
                        r.lastSeq(), r.checkpoints(), r.file());
            }
            return 0;
        }
    }

    /** {@code cordon audit replay}. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "From the log alone: directives (and revisions) in force at T and sessions active, cut or denied.")
    public static final class ReplayCmd implements Callable<Integer> {
        @Mixin
        Db db;
        @Option(names = "--bundle", paramLabel = "FILE", description = "Replay an export bundle instead of the database.")
        Path bundle;
        @Option(names = "--as-of", required = true, paramLabel = "T", description = "ISO-8601 instant or epoch ms.")
        String asOf;
        @Option(names = "--output", defaultValue = "table", paramLabel = "table|json", description = "table (default) or json.")
        String output;
        @Option(names = "--summary", description = "Table: directives and counts only, not every session.")
        boolean summary;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!"table".equals(output) && !"json".equals(output)) {
                throw new IllegalArgumentException("--output: '" + output + "' is neither table nor json");
            }
            Replay.Result r;
            try (TrailSource src = bundle != null ? Bundle.open(bundle) : DatabaseTrail.open(db.dataSource())) {
                if (src.startSize() > 0) {
                    spec.commandLine().getErr().println("note: this " + src.description() + " starts after entry "
                            + src.startSize() + ": sessions and directives recorded before it are not in the replay");
                }
                r = Replay.asOf(src.entries(), instant(asOf, "--as-of"));
            }
            spec.commandLine().getOut().print("json".equals(output)
                    ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Replay.toJson(r)) + "\n"
                    : Replay.toTable(r, !summary));
            spec.commandLine().getOut().flush(); // print() does not flush an autoflush PrintWriter
            return 0;
        }
    }

    /** {@code cordon audit why}. */
    @Command(name = "why", mixinStandardHelpOptions = true,
            description = "Explain one session: every directive revision that covered it with the matching group, the "
                    + "commands issued, and the entries that prove it (inclusion proofs against the newest checkpoint).")
    public static final class WhyCmd implements Callable<Integer> {
        @Mixin
        Db db;
        @Parameters(paramLabel = "SESSION")
        String session;
        @Option(names = "--output", defaultValue = "text", paramLabel = "text|json",
                description = "text (default: the explanation) or json (with every entry and its inclusion proof).")
        String output;
        @Option(names = "--proofs-dir", paramLabel = "DIR",
                description = "Also write one proof file per entry (entry-N.proof.json), each checkable with verify-proof.")
        Path proofsDir;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!"text".equals(output) && !"json".equals(output)) {
                throw new IllegalArgumentException("--output: '" + output + "' is neither text nor json");
            }
            ObjectNode n;
            try (DatabaseTrail src = DatabaseTrail.open(db.dataSource())) {
                n = Why.explain(src, session);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print("json".equals(output) ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n"
                    : Why.toText(n));
            out.flush(); // print() does not flush an autoflush PrintWriter
            if (proofsDir != null && n.path("found").asBoolean()) {
                Files.createDirectories(proofsDir);
                var proofs = Why.proofs(n);
                for (var p : proofs.entrySet()) {
                    Files.writeString(proofsDir.resolve("entry-" + p.getKey() + ".proof.json"),
                            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(p.getValue()) + "\n",
                            StandardCharsets.UTF_8);
                }
                spec.commandLine().getErr().println("wrote " + proofs.size() + " proof file(s) to " + proofsDir
                        + "; check each with: cordon audit verify-proof FILE --public-key KEY");
            }
            return n.path("found").asBoolean() ? 0 : 1;
        }
    }

    /** {@code cordon audit witness}. */
    @Command(name = "witness", mixinStandardHelpOptions = true,
            description = "As an independent witness: cosign the newest checkpoint if it is an append-only extension of the "
                    + "last one you cosigned (--state); refuse loudly (exit 1) otherwise.")
    public static final class WitnessCmd implements Callable<Integer> {
        @Mixin
        Db db;
        @Option(names = "--log-key", required = true, paramLabel = "VKEY|@FILE", description = "The log's verifier key.")
        String logKey;
        @Option(names = "--key", required = true, paramLabel = "FILE", description = "The witness's own key file.")
        Path keyFile;
        @Option(names = "--init", paramLabel = "NAME", description = "Generate --key for witness NAME first (if missing).")
        String init;
        @Option(names = "--state", required = true, paramLabel = "FILE", description = "The witness's state file.")
        Path state;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (init == null && !Files.exists(keyFile)) {
                throw new IllegalArgumentException("--key: " + keyFile + " does not exist; create it with --init NAME"
                        + " (e.g. --init witness.example.org/w1)");
            }
            boolean generated = init != null && !Files.exists(keyFile);
            CheckpointKeys.WitnessKey key = generated
                    ? CheckpointKeys.generateWitnessKey(keyFile, init) : CheckpointKeys.loadWitnessKey(keyFile);
            if (generated) {
                Path vkey = keyFile.resolveSibling(keyFile.getFileName() + ".cosig.vkey");
                Files.writeString(vkey, key.cosignatureVerifierKey() + "\n", StandardCharsets.UTF_8);
                spec.commandLine().getErr().println("generated witness key " + keyFile + " (secret: keep it) and "
                        + vkey + " (public: auditors pass it to verify --witness-key)");
            }
            spec.commandLine().getErr().println("witness cosignature verifier key (give it to auditors for verify"
                    + " --witness-key): " + key.cosignatureVerifierKey());
            try {
                Witness.Outcome o = Witness.run(db.dataSource(), NoteVerifier.fromVerifierKey(keys(List.of(logKey)).get(0)),
                        key, state, Instant.now().getEpochSecond());
                spec.commandLine().getOut().println(o.message());
                if (o.cosignedNote() != null) {
                    spec.commandLine().getOut().print(o.cosignedNote());
                    spec.commandLine().getOut().flush();
                }
                return 0;
            } catch (Witness.RefusedException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 1;
            }
        }
    }

    /** {@code cordon audit public-key}. */
    @Command(name = "public-key", mixinStandardHelpOptions = true,
            description = "Show the log's checkpoint verifier key(s): from the operator's key directory (--key-dir or "
                    + "--data-dir), or the keys the database lists. An auditor should get the key out of band and compare.")
    public static final class PublicKey implements Callable<Integer> {
        @Mixin
        Db db;
        @Option(names = "--key-dir", paramLabel = "DIR",
                description = "The sink's audit.signing.key.dir (holds " + CheckpointKeys.GENERATED_VKEY_FILE + ").")
        Path keyDir;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "A demo/stack --data-dir (its audit-keys directory).")
        Path dataDir;
        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Also write the key(s) to FILE (one per line).")
        Path outFile;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<String> found;
            Path dir = keyDir != null ? keyDir : dataDir != null ? dataDir.resolve("audit-keys") : null;
            if (dir != null) {
                Path vkey = dir.resolve(CheckpointKeys.GENERATED_VKEY_FILE);
                if (!Files.exists(vkey)) {
                    throw new IllegalArgumentException((keyDir != null ? "--key-dir" : "--data-dir") + ": " + vkey
                            + " does not exist (the sink writes it on first start, next to "
                            + CheckpointKeys.GENERATED_KEY_FILE + ")");
                }
                found = keys(List.of("@" + vkey));
                err.println("from " + vkey);
            } else if (db.jdbc.url != null || db.config != null || System.getenv("CORDON_JDBC_URL") != null) {
                try (DatabaseTrail src = DatabaseTrail.open(db.dataSource())) {
                    found = src.verifierKeys();
                }
                err.println("from the database's audit_signing_keys (" + found.size() + " key(s), oldest first): the"
                        + " operator controls that table, so compare with the key you got out of band");
            } else {
                throw new IllegalArgumentException("give --key-dir DIR (the sink's audit.signing.key.dir, default "
                        + "~/.cordon/audit-keys), --data-dir DIR (demo/stack) or --jdbc-url URL");
            }
            found.forEach(out::println);
            if (outFile != null) {
                Files.writeString(outFile, String.join("\n", found) + "\n", StandardCharsets.UTF_8);
                err.println("wrote " + outFile + "; use it as --public-key " + outFile);
            }
            return found.isEmpty() ? 1 : 0;
        }
    }

    /** {@code cordon audit checkpoints}. */
    @Command(name = "checkpoints", mixinStandardHelpOptions = true,
            description = "List the signed checkpoints (number, tree size, reason, time, key, cosignatures): the sizes to "
                    + "give prove --consistency.")
    public static final class Checkpoints implements Callable<Integer> {
        @Mixin
        Db db;
        @Option(names = "--bundle", paramLabel = "FILE", description = "List those of an export bundle instead.")
        Path bundle;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (TrailSource src = bundle != null ? Bundle.open(bundle) : DatabaseTrail.open(db.dataSource())) {
                out.printf("%4s %10s %-9s %-24s %-34s %s%n", "NO", "TREE SIZE", "REASON", "SIGNED AT", "KEY", "COSIGNED BY");
                for (var cp : src.checkpoints()) {
                    List<String> witnesses = new ArrayList<>();
                    for (var c : src.cosignatures()) {
                        if (c.treeSize() == cp.treeSize() && java.util.Arrays.equals(c.rootHash(), cp.rootHash())) {
                            witnesses.add(c.witnessName());
                        }
                    }
                    out.printf("%4d %10d %-9s %-24s %-34s %s%n", cp.number(), cp.treeSize(), cp.reason(),
                            Instant.ofEpochMilli(cp.signedAtMs()), cp.keyName() + "+" + String.format("%08x", cp.keyId()),
                            witnesses.isEmpty() ? "-" : String.join(", ", witnesses));
                }
            }
            return 0;
        }
    }

    /** Reads the tree size out of an auditor state file (for messages). */
    static final class AuditorStateView {
        static long size(Path state) {
            var s = dev.cordon.audit.tools.AuditorState.load(state);
            return s == null ? 0 : s.treeSize();
        }
    }

    /**
     * Progress on stderr while a long log is read: on a terminal one line rewritten in place, otherwise a line at
     * most every 5 s (so logs stay short); nothing for logs read in under a second.
     */
    static final class Progress implements java.util.function.LongConsumer {
        private final PrintWriter err;
        private final String verb;
        private final long total;
        private final boolean console = System.console() != null;
        private final long startedMs = System.currentTimeMillis();
        private long lastPrintMs;
        private boolean printed;

        Progress(PrintWriter err, String verb, long total) {
            this.err = err;
            this.verb = verb;
            this.total = total;
        }

        @Override
        public void accept(long n) {
            long now = System.currentTimeMillis();
            if (n <= 0 || now - startedMs < 1_000 || now - lastPrintMs < (console ? 200 : 5_000)) {
                return;
            }
            lastPrintMs = now;
            printed = true;
            String text = total > 0 ? String.format("%s: %,d of %,d entries (%d%%), %,.0f entries/s", verb, n, total,
                    n * 100 / total, n * 1000.0 / Math.max(1, now - startedMs))
                    : String.format("%s: %,d entries", verb, n);
            if (console) {
                err.print("\r" + text);
            } else {
                err.println(text);
            }
            err.flush();
        }

        void done() {
            if (printed && console) {
                err.println();
            }
        }
    }
}
