package dev.tessera.codecs;

/** The compressed formats chunked array files use, each with a pure-Java decoder and, where a library is found, a native one. */
public enum Format {
    /** Deflate in a zlib wrapper (HDF5's deflate filter, Zarr's zlib codec). */
    ZLIB("zlib"),
    /** Raw deflate, no wrapper. */
    DEFLATE("deflate"),
    /** Deflate in a gzip wrapper (Zarr's gzip codec); one member. */
    GZIP("gzip"),
    /** Zstandard frames. */
    ZSTD("zstd"),
    /** One LZ4 block (the raw block format; sizes come from the container). */
    LZ4("lz4"),
    /** A Blosc 1 buffer (HDF5 filter 32001, Zarr's blosc codec): header, blocks, byte shuffle. */
    BLOSC("blosc");

    private final String id;

    Format(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
