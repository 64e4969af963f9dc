package dev.tessera.kernels;

/**
 * Compression formats {@link Decompression} reads: zlib (deflate in a zlib wrapper, as HDF5's deflate filter and
 * Python's {@code zlib.compress} write it), raw deflate, Zstandard frames, and LZ4 blocks (the raw block format).
 */
public enum Codec {
    ZLIB("zlib"), DEFLATE("deflate"), ZSTD("zstd"), LZ4("lz4");

    private final String pythonName;

    Codec(String pythonName) {
        this.pythonName = pythonName;
    }

    public String pythonName() {
        return pythonName;
    }

    public static Codec parse(String name) {
        for (Codec c : values()) {
            if (c.pythonName.equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown codec " + name + ": use zlib, deflate, zstd or lz4");
    }
}
