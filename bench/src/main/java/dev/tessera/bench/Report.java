package dev.tessera.bench;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a bench run writes: latest.json (every figure, the machine, the scenarios) and latest.md (the same as a table). */
final class Report {
    /** How one scenario went. */
    record ScenarioOutcome(String name, String description, double seconds, int rows, String error, String log) {
    }

    private Report() {
    }

    static void writeJson(Path file, String date, Mode mode, Map<String, String> machine, List<ScenarioOutcome> scenarios,
                          List<Row> rows, double seconds) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("date", date);
        root.put("mode", mode.name().toLowerCase());
        root.put("seconds", seconds);
        root.put("machine", machine);
        root.put("scenarios", scenarios);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", r.scenario());
            m.put("key", r.key());
            m.put("label", r.label());
            m.put("unit", r.unit());
            m.put("tessera", r.tessera());
            m.put("peer", r.peer());
            m.put("peer_name", r.peerName());
            m.put("ratio", r.ratio());
            m.put("goal", r.goal());
            m.put("met", r.met());
            m.put("higher_is_better", r.higherIsBetter());
            out.add(m);
        }
        root.put("rows", out);
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues()
                .create().toJson(root));
    }

    static void writeMarkdown(Path file, String date, Mode mode, Map<String, String> machine, List<ScenarioOutcome> scenarios,
                              List<Row> rows, List<String> charts, double seconds) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Tessera bench, ").append(date).append(" (").append(mode.name().toLowerCase()).append(" run, ")
                .append(String.format("%.0f s", seconds)).append(")\n\n");
        md.append("Machine: ");
        machine.forEach((k, v) -> md.append(k).append(" ").append(v).append("; "));
        md.setLength(md.length() - 2);
        md.append(".\n\n");
        md.append("Ratio: how many times better Tessera's figure is than its peer's (above 1: Tessera ahead; for times, ")
                .append("the peer's time over Tessera's).\n\n");
        md.append("| scenario | figure | Tessera | peer | peer's figure | ratio | goal | met |\n");
        md.append("| --- | --- | ---: | --- | ---: | ---: | --- | --- |\n");
        for (Row r : rows) {
            Double ratio = r.ratio();
            md.append("| ").append(r.scenario()).append(" | ").append(escape(r.label())).append(" | ")
                    .append(Row.format(r.tessera(), r.unit())).append(" | ")
                    .append(r.peerName() == null ? "" : escape(r.peerName())).append(" | ")
                    .append(r.peer() == null ? "" : Row.format(r.peer(), r.unit())).append(" | ")
                    .append(ratio == null ? "" : String.format("%.2f", ratio)).append(" | ")
                    .append(escape(r.goal())).append(" | ")
                    .append(r.met() == null ? "" : r.met() ? "yes" : "**no**").append(" |\n");
        }
        long goals = rows.stream().filter(r -> r.met() != null).count();
        long met = rows.stream().filter(r -> Boolean.TRUE.equals(r.met())).count();
        md.append("\nGoals met: ").append(met).append(" of ").append(goals).append(".\n\n");
        md.append("| scenario | what | seconds | outcome |\n| --- | --- | ---: | --- |\n");
        for (ScenarioOutcome s : scenarios) {
            md.append("| ").append(s.name()).append(" | ").append(escape(s.description())).append(" | ")
                    .append(String.format("%.0f", s.seconds())).append(" | ")
                    .append(s.error() == null ? s.rows() + " figures" : "failed: " + escape(s.error())).append(" |\n");
        }
        if (!charts.isEmpty()) {
            md.append('\n');
            for (String c : charts) {
                md.append("![").append(c).append("](").append(c).append(")\n");
            }
        }
        Files.writeString(file, md.toString());
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|");
    }
}
