package dev.tessera.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera bench}: every scenario for Tessera and its peers in one invocation, each in a fresh process; writes
 * latest.json, latest.md and PNG charts. A scenario that fails is reported and the others still run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure Tessera against its peers (CPython multiprocessing and threads, numpy, h5py, plain Java) in "
                + "one run; write bench/results/latest.json, latest.md and charts.",
                "Peers run with python3 when it is there (numpy and h5py where installed); without them the peer "
                        + "column says why and Tessera's figures still print."})
public final class BenchCommand implements Callable<Integer> {
    static final List<Scenario> SCENARIOS = List.of(
            new StartupScenario(),
            new ScriptScenario("worker", "Python loop in workers vs CPython processes; worker start and memory; tessera run",
                    "worker_speed.py"),
            new ScriptScenario("crossings", "queues, task round trips, bulk tasks, short beside long vs CPython multiprocessing",
                    "crossings.py"),
            new KernelsScenario(),
            new ScriptScenario("kernels-shuffled", "every kernel x dtype in one shuffled order vs numpy in the same order",
                    "kernels_shuffled.py"),
            new ExamplesScenario(),
            new FormatsScenario(),
            new FirstSecondsScenario(),
            new JmhScenario());

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "the short run (under 10 minutes on 2 cores)")
    boolean quick;

    @Option(names = "--tiny", description = "plumbing only: tiny sizes, no peers, figures meaningless (for tests)")
    boolean tiny;

    @Option(names = "--only", split = ",", paramLabel = "SCENARIO", description = "run only these: startup, worker, "
            + "crossings, kernels, kernels-shuffled, examples, formats, first-seconds, jmh")
    List<String> only;

    @Option(names = "--no-peers", description = "skip the CPython/numpy peers")
    boolean noPeers;

    @Option(names = "--out", paramLabel = "DIR", description = "where results go (default: bench/results in the repository)")
    Path out;

    @Option(names = "--root", paramLabel = "DIR", hidden = true, description = "the repository (default: found from here)")
    Path root;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        Mode mode = tiny ? Mode.TINY : quick ? Mode.QUICK : Mode.FULL;
        Path repo = root != null ? root : BenchContext.findRoot(Path.of(System.getProperty("tessera.root", ".")));
        Path dir = (out != null ? out : repo.resolve("bench").resolve("results")).toAbsolutePath();
        Files.createDirectories(dir);
        BenchContext context = new BenchContext(mode, repo, dir, !noPeers && mode != Mode.TINY);
        List<Scenario> chosen = choose();
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        console.printf("tessera bench (%s): %d scenarios, results in %s%n", mode.name().toLowerCase(), chosen.size(), dir);
        Map<String, String> machine = Machine.describe();
        console.printf("machine: %s cores, %s; %s; GraalPy %s (%s); python3 %s, numpy %s%n", machine.get("cores"),
                machine.get("cpu"), machine.get("jdk"), machine.get("graalpy"), machine.get("optimizing runtime"),
                machine.get("python3"), machine.get("numpy"));
        long start = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        List<Report.ScenarioOutcome> outcomes = new ArrayList<>();
        int i = 0;
        for (Scenario s : chosen) {
            i++;
            console.printf("[%d/%d] %-10s %s ... ", i, chosen.size(), s.name(), s.description());
            console.flush();
            long t0 = System.nanoTime();
            String error = null;
            List<Row> got = List.of();
            try {
                got = s.run(context).stream().map(r -> r.inScenario(s.name())).toList();
            } catch (Exception e) {
                error = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            rows.addAll(got);
            outcomes.add(new Report.ScenarioOutcome(s.name(), s.description(), seconds, got.size(), error,
                    context.logs().resolve(s.name() + ".txt").toString()));
            long goals = got.stream().filter(r -> r.met() != null).count();
            long met = got.stream().filter(r -> Boolean.TRUE.equals(r.met())).count();
            console.println(error == null ? String.format("%.0f s, %d figures, %d of %d goals met", seconds, got.size(), met, goals)
                    : String.format("FAILED after %.0f s: %s", seconds, error));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> charts = List.of();
        try {
            charts = Charts.write(dir, rows);
        } catch (RuntimeException | java.io.IOException e) { // figures without charts are still worth writing
            console.println("charts not drawn: " + e.getMessage());
        }
        Report.writeJson(dir.resolve("latest.json"), date, mode, machine, outcomes, rows, seconds);
        Report.writeMarkdown(dir.resolve("latest.md"), date, mode, machine, outcomes, rows, charts, seconds);
        printTable(console, rows);
        console.printf("wrote %s, %s%s (%.0f s)%n", dir.resolve("latest.json"), dir.resolve("latest.md"),
                charts.isEmpty() ? "" : " and " + String.join(", ", charts), seconds);
        return outcomes.stream().anyMatch(o -> o.error() != null) ? 1 : 0;
    }

    private List<Scenario> choose() {
        if (only == null || only.isEmpty()) {
            return SCENARIOS;
        }
        Set<String> wanted = new LinkedHashSet<>(only);
        List<Scenario> chosen = SCENARIOS.stream().filter(s -> wanted.remove(s.name())).toList();
        if (!wanted.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown scenario(s) " + wanted + ": use "
                    + SCENARIOS.stream().map(Scenario::name).toList());
        }
        return chosen;
    }

    private static void printTable(PrintWriter out, List<Row> rows) {
        out.printf("%-10s %-52s %14s %14s %8s  %s%n", "scenario", "figure", "Tessera", "peer", "ratio", "goal (met)");
        for (Row r : rows) {
            Double ratio = r.ratio();
            String label = r.label().length() > 52 ? r.label().substring(0, 51) + "." : r.label();
            out.printf("%-10s %-52s %14s %14s %8s  %s%n", r.scenario(), label, Row.format(r.tessera(), r.unit()),
                    r.peer() == null ? "-" : Row.format(r.peer(), r.unit()), ratio == null ? "" : String.format("%.2f", ratio),
                    r.goal().isEmpty() ? "" : r.goal() + (r.met() == null ? "" : r.met() ? " (yes)" : " (NO)"));
        }
    }
}
