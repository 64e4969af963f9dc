package dev.tessera.formats;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.codecs.Codecs;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.SharedArray;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture dataset (every dtype, filter, codec and layout; see make_fixtures.py) read with the native decoders
 * and with the pure-Java ones, with 1 and 3 threads, equals h5py's / zarr's own read byte for byte; what Tessera
 * does not decode raises {@link UnsupportedFilterException} naming it.
 */
class FixturesTest {
    static Stream<Arguments> committed() throws Exception {
        return cases(Fixtures.committed());
    }

    static Stream<Arguments> cases(Path root) throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (Fixtures.Entry e : Fixtures.entries(root)) {
            out.add(Arguments.of(e));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("committed")
    void committedFixturesReadAsH5pyAndZarrDo(Fixtures.Entry e) throws Exception {
        check(e);
    }

    @Test
    void fixturesMadeNowByTheInstalledH5pyAndZarrReadTheSame() throws Exception {
        Path root = Fixtures.generated();
        Assumptions.assumeTrue(root != null, Fixtures.whyNotGenerated());
        List<Fixtures.Entry> entries = Fixtures.entries(root);
        assertTrue(entries.size() >= 40, "the script made " + entries.size() + " datasets");
        for (Fixtures.Entry e : entries) {
            check(e);
        }
    }

    static void check(Fixtures.Entry e) throws Exception {
        for (Codecs codecs : List.of(Codecs.defaults(), Codecs.pureJava())) {
            for (int threads : new int[] {1, 3}) {
                ReadOptions options = ReadOptions.threads(threads).withCodecs(codecs);
                String what = e + " with " + (codecs.allNative() ? "native" : "pure-Java") + " decoders, " + threads + " threads";
                boolean refused = e.expect().equals("unsupported") || e.expect().equals("pure_java_unsupported") && !codecs.allNative();
                try (ArrayStore store = new ArrayStore()) {
                    if (refused) {
                        RuntimeException x = assertThrows(UnsupportedFilterException.class, () -> read(store, e, options), what);
                        assertTrue(x.getMessage().toLowerCase().contains(e.word().toLowerCase()), what + ": " + x.getMessage());
                        continue;
                    }
                    SharedArray a = read(store, e, options);
                    byte[] expected = e.expected();
                    assertEquals(expected.length, a.byteSize(), what);
                    MemorySegment got = a.segment();
                    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                        fail("the expected bytes are little-endian");
                    }
                    long at = got.mismatch(MemorySegment.ofArray(expected));
                    assertEquals(-1, at, what + ": first difference at byte " + at);
                    assertEquals(e.json().getAsJsonArray("shape").size(), a.shape().length, what);
                    assertEquals(0, store.leaseCount(), what);
                }
            }
        }
    }

    static SharedArray read(ArrayStore store, Fixtures.Entry e, ReadOptions options) {
        return e.kind().equals("hdf5") ? Hdf5.read(store, e.path(), e.dataset(), options) : Zarr.read(store, e.path(), options);
    }
}
