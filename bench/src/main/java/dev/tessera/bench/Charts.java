package dev.tessera.bench;

import java.io.IOException;
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

    /** Writes the charts the rows allow; returns their file names. */
    static List<String> write(Path dir, List<Row> rows) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> written = new ArrayList<>();
        if (scaling(dir.resolve("scaling.png"), rows)) {
            written.add("scaling.png");
        }
        if (versusPeers(dir.resolve("vs_peers.png"), rows)) {
            written.add("vs_peers.png");
        }
        return written;
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

    /** Every figure with a peer, as Tessera's advantage (log scale: above 1, Tessera ahead). */
    private static boolean versusPeers(Path file, List<Row> rows) throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> ahead = new ArrayList<>();
        List<Double> behind = new ArrayList<>();
        for (Row r : rows) {
            Double ratio = r.ratio();
            if (ratio == null || !(ratio > 0) || Double.isInfinite(ratio)) {
                continue; // a log axis takes only positive values
            }
            String name = r.label().length() > 48 ? r.label().substring(0, 47) + "." : r.label();
            names.add(name + " [" + r.scenario() + "]");
            ahead.add(ratio >= 1 ? ratio : null); // no bar (a log axis takes no zero)
            behind.add(ratio < 1 ? ratio : null);
        }
        if (names.isEmpty()) {
            return false;
        }
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(400 + 14 * names.size())
                .title("Tessera against its peer (times better; log scale, 1 = even)").yAxisTitle("ratio").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setXAxisLabelRotation(70);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.addSeries("Tessera ahead", names, ahead);
        chart.addSeries("peer ahead", names, behind);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }
}
