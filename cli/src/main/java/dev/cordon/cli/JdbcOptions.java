package dev.cordon.cli;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the audit database is (picocli mixin). Passwords are better given through the
 * environment ({@code CORDON_JDBC_PASSWORD}) or the config file than as flags.
 */
public final class JdbcOptions {
    @Option(names = "--jdbc-url", paramLabel = "URL", description = "PostgreSQL JDBC URL of the audit store.")
    String url;

    @Option(names = "--jdbc-user", paramLabel = "USER", description = "Database user (the audit service role).")
    String user;

    @Option(names = "--jdbc-password", paramLabel = "PASSWORD", arity = "0..1", interactive = true,
            description = "Database password (prompted when given without a value; or CORDON_JDBC_PASSWORD).")
    String password;

    Map<String, Object> flags() {
        Map<String, Object> m = new HashMap<>();
        m.put("jdbc.url", url);
        m.put("jdbc.user", user);
        m.put("jdbc.password", password);
        return m;
    }
}
