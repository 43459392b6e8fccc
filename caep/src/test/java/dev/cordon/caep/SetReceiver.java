package dev.cordon.caep;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real RFC 8935 push receiver for tests: the JDK HTTP server on 127.0.0.1, {@code POST /events}; it records
 * every request and answers 202, or the statuses scripted with {@link #failNext(int, int)}/{@link #down(int)}.
 */
final class SetReceiver implements AutoCloseable {
    record Request(String contentType, String authorization, String body, int answered) {
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final ConcurrentLinkedDeque<Integer> scripted = new ConcurrentLinkedDeque<>();
    private final AtomicInteger downStatus = new AtomicInteger(0);

    SetReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/events", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII);
            Integer next = scripted.pollFirst();
            int status = next != null ? next : downStatus.get() != 0 ? downStatus.get() : 202;
            synchronized (requests) {
                requests.add(new Request(exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("Authorization"), body, status));
            }
            byte[] answer = status == 400 ? "{\"err\":\"invalid_audience\",\"description\":\"not for us\"}".getBytes(StandardCharsets.UTF_8)
                    : new byte[0];
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
            exchange.close();
        });
        server.start();
    }

    /** The next {@code times} requests are answered {@code status}. */
    void failNext(int times, int status) {
        for (int i = 0; i < times; i++) {
            scripted.add(status);
        }
    }

    /** Every request is answered {@code status} until {@link #up()}. */
    void down(int status) {
        downStatus.set(status);
    }

    void up() {
        downStatus.set(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** @return bodies of the requests answered 202 */
    List<String> accepted() {
        return requests().stream().filter(r -> r.answered() == 202).map(Request::body).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
