package dev.tessera.bench;

import com.google.gson.JsonObject;

/**
 * One figure of the report: Tessera's value and its peer's, measured in the same run, with the goal and whether it
 * was met. The format every scenario produces (the Python scripts through {@code bench/python/benchrows.py}).
 *
 * @param unit           "M/s" and "tasks/s" (per second), "GB/s", "us", "ms", "s", "MB"
 * @param peer           null when the peer did not run (then {@code peerName} may say why)
 * @param met            null when the figure has no goal
 * @param higherIsBetter which way the ratio points
 */
public record Row(String scenario, String key, String label, String unit, double tessera, Double peer, String peerName,
                  String goal, Boolean met, boolean higherIsBetter) {

    /** How many times better Tessera is than its peer (above 1: Tessera is ahead), or null without a peer. */
    public Double ratio() {
        if (peer == null || peer == 0 || tessera == 0) {
            return null;
        }
        return higherIsBetter ? tessera / peer : peer / tessera;
    }

    /**
     * A row from its JSON form (a benchrows row, or a row of latest.json); {@code peerNameIfNone} names why a row
     * without a peer has none, when the row does not say.
     */
    static Row fromJson(JsonObject r, String scenario, String peerNameIfNone) {
        Double peer = r.get("peer").isJsonNull() ? null : r.get("peer").getAsDouble();
        String peerName = r.get("peer_name").isJsonNull() ? (peer == null ? peerNameIfNone : null) : r.get("peer_name").getAsString();
        Boolean met = r.get("met").isJsonNull() ? null : r.get("met").getAsBoolean();
        return new Row(scenario, r.get("key").getAsString(), r.get("label").getAsString(), r.get("unit").getAsString(),
                r.get("tessera").getAsDouble(), peer, peerName, r.get("goal").getAsString(), met,
                r.get("higher_is_better").getAsBoolean());
    }

    Row inScenario(String name) {
        return new Row(name, key, label, unit, tessera, peer, peerName, goal, met, higherIsBetter);
    }

    /** A value in its unit, for people. */
    public static String format(double v, String unit) {
        return switch (unit) {
            case "M/s" -> v >= 1e8 ? String.format("%,.0f M/s", v / 1e6) : String.format("%,.2f M/s", v / 1e6);
            case "GB/s" -> String.format("%,.2f GB/s", v / 1e9);
            case "tasks/s", "req/s" -> String.format("%,.0f %s", v, unit);
            case "us" -> String.format("%,.0f us", v);
            case "ms" -> String.format("%,.1f ms", v);
            case "s" -> String.format("%,.2f s", v);
            case "MB" -> String.format("%,.1f MB", v);
            case "MB/s" -> String.format("%,.0f MB/s", v);
            case "ns" -> String.format("%,.1f ns", v);
            default -> String.format("%,.3g %s", v, unit);
        };
    }
}
