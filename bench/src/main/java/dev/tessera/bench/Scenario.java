package dev.tessera.bench;

import java.util.List;

/** One part of a bench run: measures Tessera and its peer, returns the rows. */
interface Scenario {
    String name();

    /** One line: what it compares. */
    String description();

    List<Row> run(BenchContext context) throws Exception;
}
