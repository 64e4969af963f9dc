package dev.tessera.buffer.interop;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The interop members of one kind of Tessera host object, each name written once: which can be read, which
 * invoked, and the list {@code getMembers} reports.
 */
public final class HostMembers {
    private final Set<String> readable;
    private final Set<String> invocable;
    private final InteropArray names;

    private HostMembers(Set<String> readable, Set<String> invocable) {
        this.readable = readable;
        this.invocable = invocable;
        this.names = new InteropArray(Stream.concat(readable.stream(), invocable.stream()).sorted().toArray());
    }

    public static HostMembers of(Set<String> readable, Set<String> invocable) {
        return new HostMembers(readable, invocable);
    }

    @TruffleBoundary
    public boolean isReadable(String member) {
        return readable.contains(member);
    }

    @TruffleBoundary
    public boolean isInvocable(String member) {
        return invocable.contains(member);
    }

    /** What {@code getMembers} returns. */
    public InteropArray names() {
        return names;
    }
}
