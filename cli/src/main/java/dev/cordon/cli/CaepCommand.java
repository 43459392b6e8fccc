package dev.cordon.cli;

import dev.cordon.caep.CaepConfig;
import dev.cordon.caep.CaepTransmitter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cordon caep}: the CAEP transmitter — each REVOKE on revocation-commands as an OpenID CAEP 1.0
 * {@code session-revoked} Security Event Token (RFC 8417), delivered by SSF push (RFC 8935) and poll
 * (RFC 8936). Receivers are configured as {@code caep.receivers} and {@code caep.receiver.<name>.*}.
 */
@Command(name = "caep", mixinStandardHelpOptions = true,
        description = "Run the CAEP transmitter (session-revoked SETs by SSF push and poll; default 127.0.0.1:8090).")
public final class CaepCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;
    @Mixin
    JdbcOptions jdbc;
    @Option(names = "--host", description = "Address to bind (default 127.0.0.1).")
    String host;
    @Option(names = "--port", description = "HTTP port of the poll endpoint and JWKS (0 = ephemeral).")
    Integer port;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> extra = new HashMap<>(jdbc.flags());
        extra.put("caep.http.host", host);
        extra.put("caep.http.port", port);
        return ServiceCommands.run(spec, cluster, extra, s -> CaepTransmitter.start(new CaepConfig(s)),
                t -> "caep transmitter listening on " + ((CaepTransmitter) t).baseUri());
    }
}
