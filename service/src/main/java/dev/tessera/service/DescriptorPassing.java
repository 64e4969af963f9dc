package dev.tessera.service;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;

/**
 * Sends a file descriptor with a message over a Unix domain socket ({@code sendmsg} with {@code SCM_RIGHTS}, Linux
 * 64-bit), so that a client maps an array's memory without reopening anything by path.
 *
 * <p>The JDK has no public way to pass descriptors or to read a channel's own descriptor; the latter is read from
 * {@code sun.nio.ch.SelChImpl}, which the launcher exports ({@code --add-exports java.base/sun.nio.ch}). Without
 * it {@link #isAvailable} is false and clients fall back to {@code /proc/PID/fd/N}.
 */
final class DescriptorPassing {
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    // struct msghdr: name(8) namelen(4)+pad(4) iov(8) iovlen(8) control(8) controllen(8) flags(4)+pad(4)
    private static final long MSGHDR_BYTES = 56;
    private static final long CMSG_HEADER = 16; // cmsg_len(8) level(4) type(4)
    private static final long CMSG_SPACE_ONE_FD = 24; // header + 4 bytes, aligned to 8

    private static final MethodHandle SENDMSG;
    private static final Method FD_VAL = fdValMethod();

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        SENDMSG = linker.downcallHandle(libc.find("sendmsg").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    private DescriptorPassing() {
    }

    private static Method fdValMethod() {
        if (!"Linux".equals(System.getProperty("os.name")) || ValueLayout.ADDRESS.byteSize() != 8) {
            return null;
        }
        try {
            Method m = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            m.setAccessible(true); // refused unless the package is exported to us
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static boolean isAvailable() {
        return FD_VAL != null;
    }

    /** The channel's own descriptor, or -1 when it cannot be read. */
    static int descriptorOf(SocketChannel channel) {
        if (FD_VAL == null) {
            return -1;
        }
        try {
            return (int) FD_VAL.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Sends the first bytes of {@code data} with {@code fd} attached, without blocking. Returns how many bytes went
     * (the caller writes the rest as usual), or -1 when nothing was sent (socket full, or closed): then the caller
     * sends {@code data} without a descriptor.
     */
    static long send(int socket, byte[] data, int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment bytes = a.allocate(Math.max(data.length, 1));
            MemorySegment.copy(data, 0, bytes, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ValueLayout.ADDRESS, 0, bytes);
            iov.set(ValueLayout.JAVA_LONG, 8, data.length);
            MemorySegment control = a.allocate(CMSG_SPACE_ONE_FD, 8);
            control.set(ValueLayout.JAVA_LONG, 0, CMSG_HEADER + 4);
            control.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
            control.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
            control.set(ValueLayout.JAVA_INT, CMSG_HEADER, fd);
            MemorySegment msg = a.allocate(MSGHDR_BYTES, 8); // zeroed: no name, no flags
            msg.set(ValueLayout.ADDRESS, 16, iov);
            msg.set(ValueLayout.JAVA_LONG, 24, 1);
            msg.set(ValueLayout.ADDRESS, 32, control);
            msg.set(ValueLayout.JAVA_LONG, 40, CMSG_SPACE_ONE_FD);
            return (long) SENDMSG.invokeExact(socket, msg, MSG_DONTWAIT | MSG_NOSIGNAL);
        } catch (Throwable t) {
            return -1;
        }
    }
}
