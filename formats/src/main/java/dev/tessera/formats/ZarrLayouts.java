package dev.tessera.formats;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tessera.codecs.Codecs;
import dev.tessera.codecs.Format;
import dev.tessera.shm.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Zarr v2 array in a directory store: {@code .zarray} (shape, chunks, dtype, compressor, fill_value, order,
 * filters, dimension_separator) and one file per stored chunk, named by its grid position ({@code 3.0} or
 * {@code 3/0}). Chunks are stored whole (edge chunks padded); a chunk without a file holds the fill value.
 */
final class ZarrLayouts {
    private ZarrLayouts() {
    }

    static ChunkedLayout read(Path dir, Codecs codecs) {
        if (!Files.exists(dir)) {
            throw new DatasetNotFoundException("no such Zarr array: " + dir, true);
        }
        Path meta = dir.resolve(".zarray");
        if (!Files.isRegularFile(meta)) {
            throw new DatasetNotFoundException(dir + " is not a Zarr v2 array (no .zarray file"
                    + (Files.isRegularFile(dir.resolve(".zgroup")) ? "; it is a group: name one of its arrays" : "") + ")", false);
        }
        JsonObject z;
        try {
            z = JsonParser.parseString(Files.readString(meta)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new FormatException(meta + " is not valid JSON: " + e.getMessage(), e);
        }
        String name = dir.getFileName().toString();
        try {
            if (!z.has("zarr_format") || z.get("zarr_format").getAsInt() != 2) {
                throw new UnsupportedFilterException(name + ": zarr_format " + z.get("zarr_format") + "; Tessera reads Zarr v2");
            }
            long[] shape = longs(z.get("shape"));
            long[] chunks = longs(z.get("chunks"));
            if (shape.length == 0 || shape.length != chunks.length) {
                throw new FormatException(name + ": shape " + z.get("shape") + " and chunks " + z.get("chunks") + " do not match");
            }
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] < 0 || chunks[d] < 1) {
                    throw new FormatException(name + ": bad shape " + z.get("shape") + " or chunks " + z.get("chunks"));
                }
            }
            String order = z.has("order") ? z.get("order").getAsString() : "C";
            if (!order.equals("C")) {
                throw new UnsupportedFilterException(name + ": order " + order + "; Tessera reads C-order Zarr arrays");
            }
            if (z.has("filters") && !z.get("filters").isJsonNull() && !z.getAsJsonArray("filters").isEmpty()) {
                throw new UnsupportedFilterException(name + " uses the Zarr filters " + z.get("filters")
                        + ", which Tessera does not decode");
            }
            String dtypeSpec = z.get("dtype").getAsString();
            DType dtype = dtypeOf(dtypeSpec, name);
            boolean bigEndian = dtypeSpec.startsWith(">");
            String separator = z.has("dimension_separator") ? z.get("dimension_separator").getAsString() : ".";
            List<ChunkStep> steps = compressor(z.get("compressor"), name, codecs);
            String filters = z.get("compressor") == null || z.get("compressor").isJsonNull() ? "none"
                    : z.getAsJsonObject("compressor").get("id").getAsString();
            byte[] fill = fillValue(z.get("fill_value"), dtype, name);
            List<StoredChunk> stored = new ArrayList<>();
            long[] origin = new long[shape.length];
            boolean empty = java.util.Arrays.stream(shape).anyMatch(s -> s == 0);
            while (!empty) {
                StringBuilder key = new StringBuilder();
                for (int d = 0; d < shape.length; d++) {
                    key.append(d == 0 ? "" : separator).append(origin[d] / chunks[d]);
                }
                Path f = dir.resolve(key.toString());
                if (Files.isRegularFile(f)) {
                    stored.add(new StoredChunk(origin.clone(), 0, -1, 0, f));
                }
                int d = shape.length - 1;
                while (d >= 0) {
                    origin[d] += chunks[d];
                    if (origin[d] < shape[d]) {
                        break;
                    }
                    origin[d] = 0;
                    d--;
                }
                if (d < 0) {
                    break;
                }
            }
            List<ChunkStep> chunkSteps = List.copyOf(steps);
            return new ChunkedLayout(name, dtype, bigEndian, shape, chunks, fill, List.copyOf(stored), c -> chunkSteps, null, filters);
        } catch (FormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new FormatException(meta + " is not Zarr v2 metadata Tessera understands: " + e, e);
        }
    }

    private static long[] longs(JsonElement e) {
        var a = e.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    private static List<ChunkStep> compressor(JsonElement c, String name, Codecs codecs) {
        if (c == null || c.isJsonNull()) {
            return List.of();
        }
        String id = c.getAsJsonObject().get("id").getAsString();
        return switch (id) {
            case "zlib" -> List.of(Steps.decode(codecs.decoder(Format.ZLIB), "inflate"));
            case "gzip" -> List.of(Steps.decode(codecs.decoder(Format.GZIP), "inflate"));
            case "zstd" -> List.of(Steps.decode(codecs.decoder(Format.ZSTD), "zstd"));
            case "lz4" -> List.of(Steps.numcodecsLz4(codecs.decoder(Format.LZ4)));
            case "blosc" -> List.of(Steps.decode(codecs.decoder(Format.BLOSC), "blosc"));
            default -> throw new UnsupportedFilterException(name + " uses the Zarr compressor '" + id
                    + "', which Tessera does not decode (it reads zlib, gzip, zstd, lz4 and blosc)");
        };
    }

    static DType dtypeOf(String spec, String name) {
        if (spec.length() >= 3 && (spec.charAt(0) == '<' || spec.charAt(0) == '>' || spec.charAt(0) == '|')) {
            String t = spec.substring(1);
            DType d = switch (t) {
                case "f8" -> DType.FLOAT64;
                case "f4" -> DType.FLOAT32;
                case "i8" -> DType.INT64;
                case "i4" -> DType.INT32;
                case "i2" -> DType.INT16;
                case "i1" -> DType.INT8;
                case "u8" -> DType.UINT64;
                case "u4" -> DType.UINT32;
                case "u2" -> DType.UINT16;
                case "u1" -> DType.UINT8;
                case "b1" -> DType.BOOL;
                default -> null;
            };
            if (d != null) {
                return d;
            }
        }
        throw new UnsupportedFilterException(name + " holds dtype " + spec + "; Tessera reads bool, integers of 1-8 bytes and float32/64");
    }

    private static byte[] fillValue(JsonElement v, DType dtype, String name) {
        if (v == null || v.isJsonNull()) {
            return FillValues.bytes(null, dtype);
        }
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean()) {
            return FillValues.bytes(v.getAsBoolean() ? 1 : 0, dtype);
        }
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) {
            double d = switch (v.getAsString()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new UnsupportedFilterException(name + ": fill_value " + v + " is not a number");
            };
            return FillValues.bytes(d, dtype);
        }
        java.math.BigDecimal n = v.getAsBigDecimal();
        return FillValues.bytes(dtype.isFloating() ? (Number) n.doubleValue() : (Number) n.toBigInteger(), dtype);
    }
}
