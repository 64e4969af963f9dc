package dev.tessera.workers;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level imports a cold run's workers import ahead, read from a script's text. */
class ScriptImportsTest {
    @Test
    void topLevelImportStatementsNameTheirModules() {
        assertEquals(List.of("json"), ScriptImports.names("import json"));
        assertEquals(List.of("os.path", "sys", "collections"), ScriptImports.names("import os.path, sys as system,collections"));
        assertEquals(List.of("concurrent.futures"), ScriptImports.names("from concurrent.futures import ThreadPoolExecutor as T"));
        assertEquals(List.of("tessera"), ScriptImports.names("from tessera import (InterpreterPool,"));
        assertEquals(List.of(), ScriptImports.names("    import json"), "indented: not run when the module loads");
        assertEquals(List.of(), ScriptImports.names("from . import sibling"), "relative: the user's own package");
        assertEquals(List.of(), ScriptImports.names("from .pkg import x"));
        assertEquals(List.of(), ScriptImports.names("important = 1"));
        assertEquals(List.of(), ScriptImports.names("# import json"));
        assertEquals(List.of(), ScriptImports.names("fromage import x"));
    }

    @Test
    void aScriptsImportsInOrderWithoutTheFutureOrWhatItsDirectoryShadows(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("main.py"), String.join("\n",
                "\"\"\"A script.\"\"\"", "from __future__ import annotations", "import json, re", "import helpers",
                "from statistics import mean", "import json", "def f():", "    import csv",
                "if __name__ == '__main__':", "    import tessera", ""));
        Files.writeString(dir.resolve("re.py"), "# the user's own re\n");
        Files.createDirectories(dir.resolve("statistics"));
        ScriptImports.Found found = ScriptImports.of(script);
        assertEquals(List.of("json", "helpers"), found.modules(),
                "re.py and statistics/ beside the script shadow the standard modules; helpers is filtered in the worker");
        assertEquals(List.of(), found.leadModules(), "no pools named: nothing more for the first worker");
        assertTrue(found.mayUsePools(), "re.py beside it is the user's: it may make pools");
        Files.writeString(script, "def main():\n    import tessera\n    tessera.InterpreterPool(2)\n");
        assertEquals(List.of("tessera"), ScriptImports.of(script).leadModules());
        assertTrue(ScriptImports.of(script).mayUsePools());
    }

    @Test
    void aScriptThatNamesNoPoolsAndImportsOnlyTheStandardLibraryMakesNoWorkersAhead(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("main.py"), "import json\nimport concurrent.futures\nprint(json.dumps(1))\n");
        assertFalse(ScriptImports.of(script).mayUsePools());
        Files.writeString(script, "from concurrent.futures import InterpreterPoolExecutor\n");
        assertTrue(ScriptImports.of(script).mayUsePools());
        Files.writeString(script, "from concurrent import interpreters\n");
        assertTrue(ScriptImports.of(script).mayUsePools());
        Files.writeString(script, "from .sibling import work\n");
        assertTrue(ScriptImports.of(script).mayUsePools(), "a relative import is the user's own package");
        Files.writeString(dir.resolve("helpers.py"), "# the user's module\n");
        Files.writeString(script, "import helpers\n");
        assertTrue(ScriptImports.of(script).mayUsePools());
    }

    @Test
    void anUnreadableScriptImportsNothingAhead(@TempDir Path dir) {
        assertEquals(new ScriptImports.Found(List.of(), false, false), ScriptImports.of(dir.resolve("missing.py")));
    }
}
