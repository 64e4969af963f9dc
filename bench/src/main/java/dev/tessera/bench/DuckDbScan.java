package dev.tessera.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scan example's query in DuckDB, in-process through its JDBC driver (in this JVM), over a table of the same shape
 * and distribution (key int32 in [0, KEYS), value float64 in [0, 100), flag bool, half true):
 * {@code SELECT key, SUM(value) FROM t WHERE flag AND value > T GROUP BY key}, with DuckDB limited to 1 and to 2
 * threads. The median round in rows/s per thread count.
 */
final class DuckDbScan {
    private DuckDbScan() {
    }

    /** {threads: median rows/s}, plus "version". */
    static Map<String, Object> run(long rows, int keys, double threshold, int rounds, int... threadCounts) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            try (ResultSet v = st.executeQuery("SELECT version()")) {
                v.next();
                out.put("version", "DuckDB " + v.getString(1) + " (JDBC, in this JVM)");
            }
            st.execute("SELECT setseed(0.42)");
            st.execute("CREATE TABLE t AS SELECT CAST(floor(random() * " + keys + ") AS INTEGER) AS key, random() * 100.0 AS value, "
                    + "random() < 0.5 AS flag FROM range(" + rows + ")");
            String query = "SELECT key, SUM(value) FROM t WHERE flag AND value > " + threshold + " GROUP BY key";
            for (int threads : threadCounts) {
                st.execute("SET threads = " + threads);
                double[] seconds = new double[Math.max(1, rounds)];
                // every round timed, the first too: the example's median counts its first round (compilation
                // included), so DuckDB's counts its own first (its caches, the driver's first result set)
                for (int r = 0; r < seconds.length; r++) {
                    long t0 = System.nanoTime();
                    int groups = 0;
                    try (ResultSet rs = st.executeQuery(query)) {
                        while (rs.next()) {
                            groups++;
                        }
                    }
                    if (groups != keys) {
                        throw new SQLException("DuckDB returned " + groups + " groups for " + keys + " keys");
                    }
                    seconds[r] = (System.nanoTime() - t0) / 1e9;
                }
                Arrays.sort(seconds);
                out.put(Integer.toString(threads), rows / seconds[seconds.length / 2]);
            }
        }
        return out;
    }

    public static void main(String[] args) throws SQLException {
        System.out.println(run(Long.parseLong(args[0]), 1000, 50, 5, 1, 2));
    }
}
