package dev.tessera.service;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The service's requests over loopback HTTP, for clients that cannot use the Unix socket: {@code POST /} with one
 * JSON request as the body and {@code Authorization: Bearer TOKEN}; the reply is the same JSON the socket gives.
 * The token (256 random bits) is made at start and written, with the port, to a file only the user can read
 * ({@code http.json} beside the socket). Scripts ({@code run}) and descriptors are for the socket only.
 */
final class HttpEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final byte[] token;
    private final Path tokenFile;
    private final Function<JsonObject, JsonObject> handler;

    private HttpEndpoint(HttpServer server, byte[] token, Path tokenFile, Function<JsonObject, JsonObject> handler) {
        this.server = server;
        this.token = token;
        this.tokenFile = tokenFile;
        this.handler = handler;
    }

    /** Listens on 127.0.0.1:{@code port} (0: a free port) and writes {@code {"url", "token"}} to {@code tokenFile}. */
    static HttpEndpoint start(int port, Path tokenFile, Function<JsonObject, JsonObject> handler) throws IOException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        HttpEndpoint endpoint = new HttpEndpoint(server, token.getBytes(StandardCharsets.US_ASCII), tokenFile, handler);
        server.createContext("/", endpoint::exchange);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        JsonObject about = new JsonObject();
        about.addProperty("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/");
        about.addProperty("token", token);
        Files.deleteIfExists(tokenFile);
        Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenFile, about + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        server.start();
        return endpoint;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void exchange(HttpExchange x) throws IOException {
        try (x) {
            if (!authorized(x.getRequestHeaders().getFirst("Authorization"))) {
                respond(x, 401, Protocol.error("PermissionError", "a request needs the header 'Authorization: Bearer TOKEN' with "
                        + "the token in " + tokenFile));
                return;
            }
            if (!"POST".equals(x.getRequestMethod())) {
                x.getResponseHeaders().set("Allow", "POST");
                respond(x, 405, Protocol.error("ValueError", "POST one JSON request to /"));
                return;
            }
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readNBytes(Protocol.MAX_REQUEST_BYTES + 1);
            }
            if (body.length > Protocol.MAX_REQUEST_BYTES) {
                respond(x, 413, Protocol.error("ValueError", "request longer than " + Protocol.MAX_REQUEST_BYTES + " bytes refused"));
                return;
            }
            JsonObject request;
            try {
                request = Protocol.parse(new String(body, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                respond(x, 400, Protocol.error("ValueError", e.getMessage()));
                return;
            }
            if (Protocol.streams(request)) {
                respond(x, 400, Protocol.error("ValueError", "scripts run over the Unix socket only"));
                return;
            }
            respond(x, 200, handler.apply(request));
        }
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.US_ASCII)); // constant time
    }

    private static void respond(HttpExchange x, int status, JsonObject body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        try {
            Files.deleteIfExists(tokenFile);
        } catch (IOException ignored) {
            // the directory is going too
        }
    }
}
