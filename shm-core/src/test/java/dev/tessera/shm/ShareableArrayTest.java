package dev.tessera.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/** Arrays in anonymous shared memory: another mapping of the same descriptor sees and changes the same pages. */
class ShareableArrayTest {

    @Test
    void aSecondMappingOfTheDescriptorSharesThePagesAndNothingIsNamed() throws Exception {
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = store.allocateShareable("grid", DType.FLOAT64, 1000, 4);
            assertEquals(32_000, store.bytesInUse());
            int fd = store.descriptorOf(a).orElseThrow();
            Path link = Path.of("/proc/self/fd/" + fd);
            String target = Files.readSymbolicLink(link).toString();
            assertTrue(target.startsWith("/memfd:tessera:grid"), target); // no name in any file system
            a.setDouble(7, 3.5);
            try (Arena other = Arena.ofConfined();
                 FileChannel ch = FileChannel.open(link, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MemorySegment seen = ch.map(FileChannel.MapMode.READ_WRITE, 0, 32_000, other);
                assertEquals(3.5, seen.getAtIndex(ValueLayout.JAVA_DOUBLE, 7));
                seen.setAtIndex(ValueLayout.JAVA_DOUBLE, 9, -1.25);
                assertEquals(-1.25, a.getDouble(9));
            }
            a.close();
            assertEquals(0, store.bytesInUse());
            assertTrue(store.descriptorOf(a).isEmpty());
            assertFalse(Files.exists(link) && Files.readSymbolicLink(link).toString().startsWith("/memfd:tessera:grid"),
                    "the descriptor is closed with the array");
        }
    }

    @Test
    void nameClashesAndTheLimitAreRefusedAndLeaveNothing() {
        try (ArrayStore store = new ArrayStore(1 << 20)) {
            SharedArray a = store.allocateShareable("x", DType.INT32, 10);
            assertThrows(IllegalArgumentException.class, () -> store.allocateShareable("x", DType.INT32, 10));
            assertThrows(StoreLimitException.class, () -> store.allocateShareable("big", DType.FLOAT64, 1 << 20));
            assertEquals(40, store.bytesInUse());
            a.close();
            assertEquals(0, store.bytesInUse());
            assertEquals(0, store.liveArrays().size());
        }
    }
}
