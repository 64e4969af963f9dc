package dev.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

/** What the command line hands to a script. */
class CommandLineTest {

    @Test
    void everythingAfterTheScriptBelongsToTheScript() {
        ParseResult parsed = Main.commandLine().parseArgs("run", "job.py", "-v", "--max-bytes", "7", "x");
        ParseResult run = parsed.subcommand();
        assertEquals(Path.of("job.py"), run.matchedPositional(0).getValue());
        assertEquals(List.of("-v", "--max-bytes", "7", "x"), run.matchedPositional(1).getValue());
    }

    @Test
    void optionsBeforeTheScriptAreTessera() {
        ParseResult run = Main.commandLine().parseArgs("run", "--max-bytes", "1024", "job.py", "a").subcommand();
        assertEquals(1024L, (Long) run.matchedOption("--max-bytes").getValue());
        assertEquals(List.of("a"), run.matchedPositional(1).getValue());
    }
}
