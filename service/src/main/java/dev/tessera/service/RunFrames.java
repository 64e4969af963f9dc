package dev.tessera.service;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;

/**
 * A script's output to its {@code tessera run} client: frames of one kind byte ({@link Protocol.Frame}), a 4-byte
 * big-endian length, the bytes. Any thread of the script may write; frames never interleave. Once the client is
 * gone, output is dropped (the script is being cancelled). The client's standard input comes the other way, in
 * frames of the same shape, into {@link #in()}.
 */
final class RunFrames implements ScriptRunner.Output {
    private final OutputStream sink;
    private final SocketChannel channel;
    private final OutputStream out = new Stream(Protocol.Frame.STDOUT);
    private final OutputStream err = new Stream(Protocol.Frame.STDERR);
    private final ScriptInput input = new ScriptInput();
    private boolean gone;
    private volatile boolean exited;

    /** {@code forwarded}: the client sends its standard input (else the script reads end of file at once). */
    RunFrames(OutputStream sink, SocketChannel channel, boolean forwarded) {
        this.sink = sink;
        this.channel = channel;
        if (!forwarded) {
            input.close(); // the script reads end of file at once; stdin frames it was not told of are dropped
        }
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public OutputStream err() {
        return err;
    }

    /** The script's standard input, where the client's stdin frames go. */
    @Override
    public ScriptInput in() {
        return input;
    }

    boolean exited() {
        return exited;
    }

    /** Sends the status and closes the connection (which also ends the service's watch on it). */
    @Override
    public void exit(int status) {
        frame(Protocol.Frame.EXIT, new byte[] {(byte) (status >>> 24), (byte) (status >>> 16), (byte) (status >>> 8), (byte) status}, 0, 4);
        exited = true;
        input.close(); // what the client still sends is dropped
        try {
            channel.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    private synchronized void frame(Protocol.Frame kind, byte[] b, int off, int len) {
        if (gone) {
            return;
        }
        byte[] frame = new byte[5 + len]; // one write: header and bytes
        frame[0] = (byte) kind.kind;
        frame[1] = (byte) (len >>> 24);
        frame[2] = (byte) (len >>> 16);
        frame[3] = (byte) (len >>> 8);
        frame[4] = (byte) len;
        System.arraycopy(b, off, frame, 5, len);
        try {
            sink.write(frame);
        } catch (IOException e) {
            gone = true;
        }
    }

    private final class Stream extends OutputStream {
        private final Protocol.Frame kind;

        Stream(Protocol.Frame kind) {
            this.kind = kind;
        }

        @Override
        public void write(int b) {
            frame(kind, new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len > 0) {
                frame(kind, b, off, len);
            }
        }
    }
}
