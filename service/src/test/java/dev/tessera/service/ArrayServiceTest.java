package dev.tessera.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.InterpreterPool;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service with the machine's real CPython as its client (client_suite.py, a unittest suite: attach, fill through
 * workers, read and write from CPython, jobs, refusals, a client dying with a mapping, release, memory given back,
 * malformed and oversized requests; run_suite.py: `tessera run` through the service).
 */
class ArrayServiceTest {
    private static PythonRuntime runtime;
    private static ArrayStore store;
    private static InterpreterPool pool;

    static Path resource(String name) {
        try {
            return Path.of(ArrayServiceTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void startPool() throws Exception {
        runtime = PythonRuntime.start();
        store = new ArrayStore();
        pool = InterpreterPool.builder().runtime(runtime).workers(2).store(store).sysPath(resource("pymods")).build();
        pool.awaitReady(Duration.ofMinutes(2));
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
        store.close();
        runtime.close();
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES) // a CPython suite of its own: 4 minutes with the machine shared
    void cpythonClientsAttachFillReadAndReleaseAndBadRequestsAreRefused(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasPython3(), "python3 is not on PATH");
        Path socket = dir.resolve("run").resolve("t.sock");
        try (ArrayService service = ArrayService.start(socket, store, pool)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            runSuite("client_suite.py", socket.toString(), clientDir().toString());
            assertEquals(0, store.bytesInUse(), "released arrays leave nothing");
            assertEquals(0, store.leaseCount());
        }
        assertTrue(Files.notExists(socket), "the socket file goes with the service");
    }

    @Test
    void aSecondServiceOnALiveSocketAndAnOpenDirectoryAreRefusedAStaleSocketReplaced(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run").resolve("t.sock");
        try (ArrayService first = ArrayService.start(socket, store, pool)) {
            IOException e = assertThrows(IOException.class, () -> ArrayService.start(socket, store, pool));
            assertTrue(e.getMessage().contains("already listening"), e.getMessage());
        }
        Files.createFile(socket); // what a service that died leaves
        try (ArrayService again = ArrayService.start(socket, store, pool)) {
            assertTrue(Files.exists(socket));
        }
        Path open = dir.resolve("open");
        Files.createDirectories(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException e = assertThrows(IOException.class, () -> ArrayService.start(open.resolve("t.sock"), store, pool));
        assertTrue(e.getMessage().contains("rwx------"), e.getMessage());
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES) // a CPython suite of its own, starting main interpreters
    void tesseraRunClientsGetWarmInterpretersWithTheirOutputStatusArgvAndDirectory(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasPython3(), "python3 is not on PATH");
        Path socket = dir.resolve("run").resolve("t.sock");
        Path work = Files.createDirectories(dir.resolve("work"));
        try (ArrayService service = ArrayService.start(socket, store, pool, runtime, null)) {
            runSuite("run_suite.py", socket.toString(), clientDir().toString(), resource("scripts").toString(), work.toString(),
                    interpreterProgram("script_exit/os_exit_with_busy_pool.py").toString());
        }
    }

    @Test
    void anotherUsersProcessIsRefusedEvenWhenTheSocketIsOpenedToAll(@TempDir Path dir) throws Exception {
        Path python = Path.of("/usr/bin/python3"); // one that another user may execute (not under root's home)
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && Files.isExecutable(python), "needs root, setpriv and /usr/bin/python3 to act as another user");
        Path socket = dir.resolve("run").resolve("t.sock");
        try (ArrayService service = ArrayService.start(socket, store, pool)) {
            // a mistake that opens the door: the directory and socket made usable by everyone
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python.toString(),
                    // the refusal comes unasked (a request sent first may meet a closed connection: EPIPE)
                    "-c", "import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); "
                            + "print(s.makefile().readline())", socket.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(1, TimeUnit.MINUTES));
            assertTrue(out.contains("PermissionError") && out.contains("serves user root only"), out);
            assertEquals(0, p.exitValue(), out);
        }
    }

    @Test
    void aWarmUpIsRefusedWithoutScriptsOrRunsAndReportedInMetrics(@TempDir Path dir) throws Exception {
        try (ArrayService jobsOnly = ArrayService.start(dir.resolve("a").resolve("t.sock"), store, pool)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> jobsOnly.warmUp(line -> { }));
            assertTrue(e.getMessage().contains("runs no scripts"), e.getMessage());
            assertEquals(true, jobsOnly.handle(com.google.gson.JsonParser.parseString("{\"op\": \"metrics\"}")
                    .getAsJsonObject()).get("warm_up_done").getAsBoolean(), "no warm-up: nothing to wait for");
        }
        try (ArrayService scripts = ArrayService.start(dir.resolve("b").resolve("t.sock"), store, pool, runtime, null)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scripts.warmUp(0, line -> { }));
            assertTrue(e.getMessage().contains("at least one run"), e.getMessage());
            WarmUp w = scripts.warmUp(1, line -> { });
            assertThrows(IllegalStateException.class, () -> scripts.warmUp(line -> { }), "one warm-up per service");
            assertNotNull(w.await(TimeUnit.MINUTES.toMillis(4)), "the warm-up did not end");
            var m = scripts.handle(com.google.gson.JsonParser.parseString("{\"op\": \"metrics\"}").getAsJsonObject());
            assertEquals(1, m.get("warm_up_runs").getAsInt());
            assertTrue(m.get("warm_up_done").getAsBoolean());
        }
    }

    @Test
    void httpRequestsNeedTheTokenAndAnswerAsTheSocketDoes(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run").resolve("t.sock");
        try (ArrayService service = ArrayService.start(socket, store, pool)) {
            int port = service.serveHttp(0);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(service.httpFile())));
            com.google.gson.JsonObject about = com.google.gson.JsonParser.parseString(Files.readString(service.httpFile())).getAsJsonObject();
            String token = about.get("token").getAsString();
            assertEquals("http://127.0.0.1:" + port + "/", about.get("url").getAsString());
            assertEquals(64, token.length());
            var http = java.net.http.HttpClient.newHttpClient();
            java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> post = (auth, body) -> {
                var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(about.get("url").getAsString()))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
                if (auth != null) {
                    b.header("Authorization", auth);
                }
                try {
                    return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
            var created = post.apply("Bearer " + token, "{\"op\": \"create\", \"name\": \"h\", \"shape\": [8], \"dtype\": \"int32\"}");
            assertEquals(200, created.statusCode(), created.body());
            assertTrue(created.body().contains("\"bytes\":32"), created.body());
            var submitted = post.apply("Bearer " + token, "{\"op\": \"submit\", \"module\": \"fill_rows\", \"function\": \"first\", "
                    + "\"args\": [{\"array\": \"h\", \"readonly\": true}]}");
            assertTrue(submitted.body().contains("\"ok\":true"), submitted.body());
            for (String wrong : new String[] {null, "Bearer " + token.substring(1) + "0", "Bearer ", "Basic " + token}) {
                var refused = post.apply(wrong, "{\"op\": \"release\", \"name\": \"h\"}");
                assertEquals(401, refused.statusCode(), String.valueOf(wrong));
                assertTrue(refused.body().contains("PermissionError"), refused.body());
            }
            assertEquals(400, post.apply("Bearer " + token, "{nope").statusCode());
            assertEquals(400, post.apply("Bearer " + token, "{\"op\": \"run\"}").statusCode());
            assertEquals(413, post.apply("Bearer " + token, "x".repeat(ArrayService.MAX_REQUEST_BYTES + 1)).statusCode());
            assertTrue(store.get("h").isPresent(), "no refused request released the array");
            assertTrue(post.apply("Bearer " + token, "{\"op\": \"release\", \"name\": \"h\"}").body().contains("\"ok\":true"));
            assertTrue(store.get("h").isEmpty());
        }
        assertTrue(Files.notExists(socket.getParent().resolve("http.json")), "the token goes with the service");
    }

    /** The client's directory (service/python) of this checkout. */
    /** One of interp-workers' test programs, from the source tree: a script both modules' tests run is kept once. */
    static Path interpreterProgram(String name) {
        Path p = Path.of(System.getProperty("tessera.root", "..")).resolve("interp-workers/src/test/resources/programs")
                .resolve(name).toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new IllegalStateException("no " + p + " (the tests run from the source tree: set -Dtessera.root)");
        }
        return p;
    }

    static Path clientDir() {
        Path client = Path.of(System.getProperty("tessera.root", "..")).resolve("service/python").toAbsolutePath().normalize();
        return Files.exists(client.resolve("tessera_client.py")) ? client : Path.of("python").toAbsolutePath();
    }

    /**
     * Runs a CPython unittest suite; passes when it exits 0 having run exactly the tests its file defines (its
     * {@code def test_} methods, per unittest's summary).
     */
    private static void runSuite(String suite, String... args) throws Exception {
        runSuiteWith("python3", suite, args);
    }

    /** As {@link #runSuite(String, String...)} with the given CPython (a command or a path). */
    static void runSuiteWith(String python, String suite, String... args) throws Exception {
        Path file = resource(suite);
        long defined = Pattern.compile("(?m)^\\s+def test_\\w+\\(").matcher(Files.readString(file)).results().count();
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(python, file.toString()));
        command.addAll(java.util.List.of(args));
        Path log = Files.createTempFile("tessera-suite", ".txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(10, TimeUnit.MINUTES);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        Files.delete(log);
        assertTrue(exited, () -> suite + " did not end in 10 minutes:\n" + out);
        System.out.print(out); // the figures a suite prints (e.g. RSS before and after release)
        assertEquals(0, p.exitValue(), out);
        Matcher ran = Pattern.compile("(?m)^Ran (\\d+) tests? in ").matcher(out);
        assertTrue(ran.find(), () -> suite + " printed no unittest summary:\n" + out);
        assertEquals(defined, Long.parseLong(ran.group(1)), () -> suite + " defines " + defined + " tests:\n" + out);
    }

    private static boolean hasPython3() {
        try {
            return new ProcessBuilder("python3", "-c", "pass").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
