package dev.cordon.embedded.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Picks currently free TCP ports on a loopback address (for servers that need a port before they bind). */
public final class FreePorts {
    private FreePorts() {
    }

    /**
     * @param host address to probe, e.g. {@code 127.0.0.1}
     * @return a port that was free on {@code host} a moment ago (a race with other processes remains;
     *         callers retry on bind failure)
     */
    public static int pick(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + host, e);
        }
    }
}
