package dev.tessera.workers;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a worker prints, set when a pool takes the worker: a context's output streams are fixed when it is built,
 * and a worker made ahead (see {@link WorkerReserve}) is built before its pool exists. Until then it prints nowhere.
 */
final class OutputRedirect extends OutputStream {
    private volatile OutputStream target = OutputStream.nullOutputStream();

    void to(OutputStream out) {
        target = out;
    }

    @Override
    public void write(int b) throws IOException {
        target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        target.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        target.flush();
    }
}
