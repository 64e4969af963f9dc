package dev.tessera.formats;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fixture sets: the committed one (made by src/test/python/make_fixtures.py) and, when Debian's python3 has h5py
 * and zarr, one made by that script now, so the reader is checked against the h5py and zarr installed here too.
 */
final class Fixtures {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    private static Path generated;
    private static String whyNotGenerated;

    private Fixtures() {
    }

    static Path committed() {
        try {
            return Path.of(Fixtures.class.getResource("fixtures/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when /usr/bin/python3 imports h5py, zarr and numcodecs. */
    static boolean pythonHasH5pyAndZarr() {
        return run(List.of(PYTHON.toString(), "-c", "import h5py, zarr, numcodecs"), 60) == 0;
    }

    /** The set made now, or null (with the reason in {@link #whyNotGenerated()}). */
    static synchronized Path generated() throws IOException {
        if (generated != null || whyNotGenerated != null) {
            return generated;
        }
        if (!Files.isExecutable(PYTHON) || !pythonHasH5pyAndZarr()) {
            whyNotGenerated = "/usr/bin/python3 with h5py and zarr is not installed";
            return null;
        }
        Path dir = Files.createTempDirectory("tessera-fixtures-");
        Path script = Path.of("src/test/python/make_fixtures.py").toAbsolutePath();
        int status = run(List.of(PYTHON.toString(), script.toString(), dir.toString()), 300);
        if (status != 0) {
            throw new IllegalStateException("make_fixtures.py failed with status " + status);
        }
        generated = dir;
        return dir;
    }

    static String whyNotGenerated() {
        return whyNotGenerated;
    }

    static int run(List<String> command, int seconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    record Entry(Path root, JsonObject json) {
        String id() {
            return json.get("id").getAsString();
        }

        String kind() {
            return json.get("kind").getAsString();
        }

        Path path() {
            return root.resolve(json.get("path").getAsString());
        }

        String dataset() {
            return json.get("dataset").isJsonNull() ? null : json.get("dataset").getAsString();
        }

        String expect() {
            return json.get("expect").getAsString();
        }

        String word() {
            return json.has("word") ? json.get("word").getAsString() : null;
        }

        byte[] expected() throws IOException {
            return Files.readAllBytes(root.resolve("expected").resolve(id() + ".bin"));
        }

        @Override
        public String toString() {
            return root.getFileName() + "/" + id();
        }
    }

    static List<Entry> entries(Path root) throws IOException {
        JsonObject m = JsonParser.parseString(Files.readString(root.resolve("manifest.json"))).getAsJsonObject();
        List<Entry> out = new ArrayList<>();
        m.getAsJsonArray("datasets").forEach(e -> out.add(new Entry(root, e.getAsJsonObject())));
        return out;
    }
}
