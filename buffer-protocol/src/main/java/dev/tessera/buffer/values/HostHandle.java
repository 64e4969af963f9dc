package dev.tessera.buffer.values;

/**
 * A host object that crosses between interpreters as a handle to itself, not as a copy (a queue). Each
 * interpreter it enters gets its own guest-side object for it.
 */
public interface HostHandle {
    /** A new guest-side object standing for this handle (a {@link GuestHandle}). */
    Object toGuest();
}
