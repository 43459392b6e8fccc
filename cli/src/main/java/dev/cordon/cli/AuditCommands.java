package dev.cordon.cli;

import dev.cordon.audit.AuditVerifier;
import dev.cordon.audit.VerifyReport;
import java.util.Map;
import java.util.concurrent.Callable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cordon audit …}: the auditor's tools. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Auditor's tools.",
        subcommands = {AuditCommands.Verify.class})
public final class AuditCommands implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code cordon audit verify}: recompute the hash chain and name the first bad entry. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Recompute the audit hash chain in PostgreSQL; exit 0 when intact, 1 naming the first bad entry.")
    public static final class Verify implements Callable<Integer> {
        @Mixin
        JdbcOptions jdbc;
        @Option(names = "--config", description = "Properties file with jdbc.url / jdbc.user / jdbc.password.")
        java.nio.file.Path config;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> s = ConfigSources.resolve(config, System.getenv(), jdbc.flags());
            Object url = s.get("jdbc.url");
            if (url == null) {
                throw new IllegalArgumentException("--jdbc-url (or jdbc.url / CORDON_JDBC_URL) is required");
            }
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url.toString());
            if (s.get("jdbc.user") != null) {
                ds.setUser(s.get("jdbc.user").toString());
            }
            if (s.get("jdbc.password") != null) {
                ds.setPassword(s.get("jdbc.password").toString());
            }
            VerifyReport report = AuditVerifier.verify(ds);
            var out = spec.commandLine().getOut();
            if (report.ok()) {
                out.println("OK: " + report.entries() + " entries, head " + report.headHash());
                return 0;
            }
            out.println("BROKEN at entry " + report.firstBadSequence() + ": " + report.problem());
            return 1;
        }
    }
}
