package dev.tessera.service;

import static dev.tessera.service.Protocol.*;

import com.google.gson.JsonObject;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.SharedArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import java.util.function.Function;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The service's Unix socket: listening in a directory only its user can enter (mode 0700; the socket 0600), serving
 * only processes of that user (checked with {@code SO_PEERCRED} on every connection), one request line and one reply
 * line at a time. A description of an array goes with the array's descriptor ({@code SCM_RIGHTS}) when this JVM can
 * pass one; a {@code run} or {@code example} request hands its connection to the script it starts.
 */
final class ServiceSocket implements AutoCloseable {
    /** Starts a streaming op on its connection (the reply line, then the frames); returns when the connection ends. */
    @FunctionalInterface
    interface Streams {
        void serve(JsonObject request, SocketChannel client, OutputStream out) throws IOException;
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final UserPrincipal owner;
    private final ArrayStore store;
    private final Function<JsonObject, JsonObject> handler;
    private final Streams streams;
    private final Thread acceptor;
    private volatile boolean closed;

    private ServiceSocket(Path socket, ServerSocketChannel server, UserPrincipal owner, ArrayStore store,
                          Function<JsonObject, JsonObject> handler, Streams streams) {
        this.socket = socket;
        this.server = server;
        this.owner = owner;
        this.store = store;
        this.handler = handler;
        this.streams = streams;
        this.acceptor = Thread.ofPlatform().name("tessera-service-accept").daemon(true).unstarted(this::acceptLoop);
    }

    /**
     * Listens on {@code socket}: its directory is created (or must already be) only its user's, a stale socket file
     * from a service that died is replaced, a live one refused.
     */
    static ServiceSocket listen(Path socket, ArrayStore store, Function<JsonObject, JsonObject> handler, Streams streams)
            throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
        if (!perms.equals("rwx------")) {
            throw new IOException("the socket's directory " + dir + " has mode " + perms + "; it must be rwx------ "
                    + "(only its user may enter it)");
        }
        if (Files.exists(socket)) {
            if (isLive(socket)) {
                throw new IOException("a service is already listening on " + socket);
            }
            Files.delete(socket); // left by a service that died
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        UserPrincipal owner = Files.getOwner(socket); // this process's user: the only one served
        ServiceSocket s = new ServiceSocket(socket, server, owner, store, handler, streams);
        s.acceptor.start();
        return s;
    }

    private static boolean isLive(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                Thread.ofVirtual().name("tessera-service-client").start(() -> {
                    if (peerIsOwner(client)) {
                        serve(client);
                    }
                });
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("tessera serve: accept failed: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Only processes of the service's own user are served, whatever the socket's permissions were changed to: a
     * client maps arrays and runs code as that user. Another is told why and disconnected.
     */
    private boolean peerIsOwner(SocketChannel client) {
        try {
            UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (peer.user().equals(owner)) {
                return true;
            }
            client.write(ByteBuffer.wrap(line(error("PermissionError", "this service serves user " + owner.getName()
                    + " only; " + peer.user().getName() + " may not use it"))));
        } catch (IOException | UnsupportedOperationException e) {
            // no credentials to check: refused
        }
        try {
            client.close();
        } catch (IOException ignored) {
            // gone anyway
        }
        return false;
    }

    /** One connection: request lines until the client goes away; a malformed or oversized one ends it. */
    private void serve(SocketChannel client) {
        try (client; var out = Channels.newOutputStream(client)) {
            LineReader in = new LineReader(client);
            while (true) {
                String text;
                try {
                    text = in.next();
                } catch (IllegalArgumentException tooLong) {
                    out.write(line(error("ValueError", tooLong.getMessage())));
                    return;
                }
                if (text == null) {
                    return; // the client went away; what it mapped stays valid for it until it unmaps
                }
                if (text.isBlank()) {
                    continue;
                }
                JsonObject request;
                try {
                    request = parse(text);
                } catch (IllegalArgumentException e) {
                    out.write(line(error("ValueError", e.getMessage())));
                    return;
                }
                if (Protocol.streams(request)) {
                    streams.serve(request, client, out);
                    return; // a run uses its connection to the end
                }
                JsonObject reply = handler.apply(request);
                if (reply.get(OK).getAsBoolean() && carriesDescriptor(Op.of(request))) { // ok: the op is a known one
                    sendWithDescriptor(client, out, reply);
                } else {
                    out.write(line(reply));
                }
            }
        } catch (IOException e) {
            // the client closed its end mid-reply: nothing to tell it
        }
    }

    private static boolean carriesDescriptor(Op op) {
        return op == Op.CREATE || op == Op.ATTACH;
    }

    /**
     * A description goes with a descriptor of the array's memory (SCM_RIGHTS) when this JVM can pass one; the client
     * maps what it receives, or opens the description's path when nothing came.
     */
    private void sendWithDescriptor(SocketChannel client, OutputStream out, JsonObject description) throws IOException {
        byte[] bytes = line(description);
        int socketFd = DescriptorPassing.descriptorOf(client);
        Optional<SharedArray> array = socketFd < 0 ? Optional.empty() : store.get(description.get(NAME).getAsString());
        long sent = -1;
        if (array.isPresent()) { // sent without blocking, while the array cannot be released
            sent = store.withDescriptor(array.get(), fd -> DescriptorPassing.send(socketFd, bytes, fd)).orElse(-1);
        }
        if (sent < bytes.length) {
            out.write(bytes, (int) Math.max(sent, 0), bytes.length - (int) Math.max(sent, 0));
        }
    }

    /** Lines of at most {@link Protocol#MAX_REQUEST_BYTES} from a channel, UTF-8. */
    private static final class LineReader {
        private final SocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineReader(SocketChannel channel) {
            this.channel = channel;
            buffer.flip();
        }

        String next() throws IOException {
            line.reset();
            while (true) {
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        return line.toString(StandardCharsets.UTF_8);
                    }
                    if (line.size() >= MAX_REQUEST_BYTES) {
                        throw new IllegalArgumentException("request longer than " + MAX_REQUEST_BYTES + " bytes refused");
                    }
                    line.write(b);
                }
                buffer.clear();
                int n = channel.read(buffer);
                buffer.flip();
                if (n < 0) {
                    return null;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            server.close();
        } finally {
            Files.deleteIfExists(socket);
        }
    }
}
