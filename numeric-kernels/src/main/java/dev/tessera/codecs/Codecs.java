package dev.tessera.codecs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One decoder per {@link Format}: the native library through FFM where it loads (libdeflate for zlib, deflate and
 * gzip; libzstd; liblz4; c-blosc), else the pure-Java one (the JDK's Inflater, aircompressor, Tessera's Blosc
 * reader). Measured on this project's 2-core machine, one thread, on 512 KiB chunks of float64: libdeflate inflated
 * 3.5-5x faster than the JDK's Inflater (and faster than ISA-L's igzip), libzstd 1.5-2.5x aircompressor's Java
 * Zstandard decoder (zstd-jni no faster than libzstd), liblz4 1.2-1.5x aircompressor's LZ4.
 *
 * <p>The process's choice ({@link #defaults()}) follows the system property {@code tessera.codecs.native}
 * ({@code false} turns every native library off) or the environment variable {@code TESSERA_NATIVE_CODECS=0};
 * {@code tessera.codecs.lib.deflate|zstd|lz4|blosc} names another library file (a soname or a path). Tests build
 * their own sets with {@link #load(Map, boolean)} and {@link #pureJava()}.
 */
public final class Codecs {
    /** System property: {@code false} keeps every native library unused. */
    public static final String NATIVE_PROPERTY = "tessera.codecs.native";
    /** Environment variable: {@code 0} (or {@code false}) keeps every native library unused. */
    public static final String NATIVE_ENV = "TESSERA_NATIVE_CODECS";
    /** Prefix of the system properties naming library files: {@code tessera.codecs.lib.deflate=/path/libdeflate.so.0}. */
    public static final String LIBRARY_PROPERTY_PREFIX = "tessera.codecs.lib.";

    private static volatile Codecs defaults;

    private final Map<String, String> files;
    private final boolean useNative;
    // Each format's decoder, made at its first use: a read of one format loads one library (the first library a
    // process links costs most, the FFM linker's own start-up; each further one 25-45 ms on a quiet JVM).
    private final Map<Format, Decoder> decoders = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> notes = new java.util.concurrent.ConcurrentHashMap<>();

    private Codecs(Map<String, String> files, boolean useNative) {
        this.files = Map.copyOf(files);
        this.useNative = useNative;
    }

    /** The process's decoders, chosen once from the system properties and the environment. */
    public static Codecs defaults() {
        Codecs d = defaults;
        if (d == null) {
            synchronized (Codecs.class) {
                d = defaults;
                if (d == null) {
                    Map<String, String> files = new LinkedHashMap<>(NativeLibrary.defaults());
                    files.replaceAll((key, file) -> System.getProperty(LIBRARY_PROPERTY_PREFIX + key, file));
                    defaults = d = load(files, nativeAllowed());
                }
            }
        }
        return d;
    }

    /** True unless the property or environment variable turns native libraries off. */
    public static boolean nativeAllowed() {
        return !switchedOff(NATIVE_PROPERTY, NATIVE_ENV);
    }

    /** True when the system property says off, or it is unset and the environment variable says off. */
    static boolean switchedOff(String property, String env) {
        String p = System.getProperty(property);
        return isOff(p) || p == null && isOff(System.getenv(env));
    }

    private static boolean isOff(String v) {
        return v != null && (v.equals("0") || v.equalsIgnoreCase("false") || v.equalsIgnoreCase("off") || v.equalsIgnoreCase("no"));
    }

    /** Only the pure-Java decoders. */
    public static Codecs pureJava() {
        return load(Map.of(), false);
    }

    /**
     * Decoders with the native libraries in {@code files} (keys deflate, zstd, lz4, blosc) where they load, when
     * {@code useNative}; the pure-Java decoder for every format whose library is absent, off or failed. A format's
     * library is opened at the format's first use.
     */
    public static Codecs load(Map<String, String> files, boolean useNative) {
        return new Codecs(files, useNative);
    }

    private synchronized Decoder make(Format format) {
        Decoder made = decoders.get(format);
        if (made != null) {
            return made;
        }
        switch (format) {
            case ZLIB, DEFLATE, GZIP -> {
                LibDeflate deflate = open("deflate", LibDeflate::new);
                for (Format f : new Format[] {Format.ZLIB, Format.DEFLATE, Format.GZIP}) {
                    decoders.put(f, deflate != null ? deflate.decoder(f) : new JdkInflate(f));
                }
            }
            case ZSTD -> {
                LibZstd zstd = open("zstd", LibZstd::new);
                decoders.put(format, zstd != null ? zstd : new AircompressorDecoder(Format.ZSTD));
            }
            case LZ4 -> {
                LibLz4 lz4 = open("lz4", LibLz4::new);
                decoders.put(format, lz4 != null ? lz4 : new AircompressorDecoder(Format.LZ4));
            }
            case BLOSC -> {
                LibBlosc blosc = open("blosc", LibBlosc::new);
                decoders.put(format, blosc != null ? blosc
                        : new JavaBlosc(decoder(Format.LZ4), decoder(Format.ZSTD), decoder(Format.ZLIB)));
            }
        }
        return decoders.get(format);
    }

    private <T> T open(String key, Function<NativeLibrary, T> make) {
        String file = files.get(key);
        if (!useNative) {
            notes.put(key, "native libraries off");
            return null;
        }
        if (file == null) {
            notes.put(key, "no library configured");
            return null;
        }
        try {
            return make.apply(NativeLibrary.open(file));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            notes.put(key, String.valueOf(e.getMessage()));
            return null;
        }
    }

    /** The format's decoder (its library opened at the first call). */
    public Decoder decoder(Format format) {
        Decoder d = decoders.get(format);
        return d != null ? d : make(format);
    }

    /**
     * What decodes each format and, for a pure-Java one, why no native library is used: "zlib/deflate/gzip" to
     * "libdeflate (FFM, libdeflate.so.0)" or "JDK Inflater (...) - libdeflate.so.0 could not be loaded (...)".
     */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("inflate (zlib, deflate, gzip)", line(Format.ZLIB, "deflate"));
        out.put("zstd", line(Format.ZSTD, "zstd"));
        out.put("lz4", line(Format.LZ4, "lz4"));
        out.put("blosc", line(Format.BLOSC, "blosc"));
        return out;
    }

    /** glibc's malloc thresholds as c-blosc needs them ({@link MallocTuning}); null when c-blosc is not in use. */
    public String mallocNote() {
        return decoder(Format.BLOSC).isNative() ? MallocTuning.state() : null;
    }

    private String line(Format format, String key) {
        Decoder d = decoder(format);
        String note = notes.get(key);
        return d.implementation() + (d.isNative() || note == null ? "" : " - native not used: " + note);
    }

    /** True when every format has its native decoder. */
    public boolean allNative() {
        return java.util.Arrays.stream(Format.values()).map(this::decoder).allMatch(Decoder::isNative);
    }
}
