package dev.tessera.workers;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.io.FileSystem;

/**
 * What a worker sees of the file system: read-only access below the granted directories (the main script's
 * directory, the pool's sys.path entries and whatever the pool was told to allow), nothing elsewhere. A refused
 * access is an {@link AccessDeniedException} that Python reports as a PermissionError naming the sandbox.
 */
final class SandboxFileSystem implements FileSystem {
    private final FileSystem delegate = FileSystem.newDefaultFileSystem();
    private volatile List<Path> roots;

    SandboxFileSystem(List<Path> roots) {
        grant(roots);
    }

    /**
     * The granted directories, replacing those before: set once, when the worker's pool adopts it (a worker made
     * ahead is granted nothing until then).
     */
    void grant(List<Path> dirs) {
        this.roots = dirs.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    private Path check(Path path, boolean write) throws AccessDeniedException {
        Path abs = delegate.toAbsolutePath(path).normalize();
        if (write) {
            throw new AccessDeniedException(abs.toString(), null, "tessera worker sandbox: the file system is read-only");
        }
        List<Path> granted = roots;
        for (Path root : granted) {
            if (abs.startsWith(root)) {
                return abs;
            }
        }
        throw new AccessDeniedException(abs.toString(), null,
                "tessera worker sandbox: no file access outside the granted directories " + granted);
    }

    @Override
    public Path parsePath(URI uri) {
        return delegate.parsePath(uri);
    }

    @Override
    public Path parsePath(String path) {
        return delegate.parsePath(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        delegate.checkAccess(check(path, modes.contains(AccessMode.WRITE)), modes, linkOptions);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        check(dir, true);
    }

    @Override
    public void delete(Path path) throws IOException {
        check(path, true);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)
                || options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW)
                || options.contains(StandardOpenOption.DELETE_ON_CLOSE) || options.contains(StandardOpenOption.TRUNCATE_EXISTING);
        return delegate.newByteChannel(check(path, write), options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        return delegate.newDirectoryStream(check(dir, false), filter);
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return delegate.toAbsolutePath(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        Path real = delegate.toRealPath(check(path, false), linkOptions);
        return check(real, false); // a link may not lead out of the sandbox
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return delegate.readAttributes(check(path, false), attributes, options);
    }
}
