package dev.tessera.buffer.values;

/** The guest-side object of a handle (a view's buffer object, a queue object): what it stands for on the host. */
public interface GuestHandle {
    /** The host value (an {@code ArrayView}, a {@link HostHandle}) this object stands for. */
    Object hostValue();
}
