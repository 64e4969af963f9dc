package dev.tessera.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** PNG charts of a bench run (drawn headless with XChart): scaling with workers, and each figure against its peer. */
final class Charts {
    private Charts() {
    }

    /** Redraws the charts of a run from its latest.json: {@code Charts DIR} (the directory holding it). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/results");
        List<Row> rows = new ArrayList<>();
        JsonObject root = JsonParser.parseString(Files.readString(dir.resolve("latest.json"))).getAsJsonObject();
        for (JsonElement e : root.getAsJsonArray("rows")) {
            JsonObject r = e.getAsJsonObject();
            rows.add(Row.fromJson(r, r.get("scenario").getAsString(), null));
        }
        System.out.println("wrote " + write(dir, rows) + " in " + dir);
    }

    /** Writes the charts the rows allow; returns their file names. A chart that fails leaves no file and is reported. */
    static List<String> write(Path dir, List<Row> rows) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> written = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        draw(dir.resolve("scaling.png"), () -> scaling(dir.resolve("scaling.png"), rows), written, failed);
        draw(dir.resolve("vs_peers.png"), () -> versusPeers(dir.resolve("vs_peers.png"), rows), written, failed);
        if (!failed.isEmpty()) {
            throw new IOException(String.join("; ", failed) + (written.isEmpty() ? "" : " (drawn: " + written + ")"));
        }
        return written;
    }

    private interface Chart {
        boolean draw() throws IOException;
    }

    private static void draw(Path file, Chart chart, List<String> written, List<String> failed) throws IOException {
        try {
            if (chart.draw()) {
                written.add(file.getFileName().toString());
            }
        } catch (RuntimeException | IOException e) {
            Files.deleteIfExists(file); // never a half-written or empty PNG next to the report
            failed.add(file.getFileName() + ": " + e.getMessage());
        }
    }

    private static Optional<Row> find(List<Row> rows, String key) {
        return rows.stream().filter(r -> r.key().equals(key)).findFirst();
    }

    /** The Python loop with 1 and 2 workers (Tessera) against 1 and 2 CPython processes. */
    private static boolean scaling(Path file, List<Row> rows) throws IOException {
        Optional<Row> one = find(rows, "one_worker_rate");
        Optional<Row> two = find(rows, "two_workers_rate");
        if (one.isEmpty() || two.isEmpty()) {
            return false;
        }
        CategoryChart chart = new CategoryChartBuilder().width(720).height(420)
                .title("Python loop writing float64 through a memoryview").xAxisTitle("workers")
                .yAxisTitle("M elements/s").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.addSeries("Tessera worker interpreters", List.of("1", "2"), List.of(one.get().tessera() / 1e6, two.get().tessera() / 1e6));
        if (one.get().peer() != null && two.get().peer() != null) {
            chart.addSeries("CPython processes (shared_memory)", List.of("1", "2"),
                    List.of(one.get().peer() / 1e6, two.get().peer() / 1e6));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    /**
     * Every figure with a peer, as Tessera's advantage in powers of ten (log10 of the ratio: +1 is ten times better,
     * -1 ten times worse, 0 even). Drawn on a linear axis: XChart's logarithmic axis refuses series with gaps.
     */
    private static boolean versusPeers(Path file, List<Row> rows) throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> ahead = new ArrayList<>();
        List<Double> behind = new ArrayList<>();
        for (Row r : rows) {
            Double ratio = r.ratio();
            if (ratio == null || !(ratio > 0) || Double.isInfinite(ratio)) {
                continue;
            }
            String name = r.label().length() > 48 ? r.label().substring(0, 47) + "." : r.label();
            names.add(name + " [" + r.scenario() + "]");
            double orders = Math.log10(ratio);
            ahead.add(orders >= 0 ? orders : 0.0);
            behind.add(orders < 0 ? orders : 0.0);
        }
        if (names.isEmpty()) {
            return false;
        }
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(400 + 14 * names.size())
                .title("Tessera against its peer: log10(times better); +1 = 10x better, -1 = 10x worse")
                .yAxisTitle("log10(ratio)").build();
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setXAxisLabelRotation(70);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.addSeries("Tessera ahead", names, ahead);
        chart.addSeries("peer ahead", names, behind);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }
}
