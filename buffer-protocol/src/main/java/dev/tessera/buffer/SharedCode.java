package dev.tessera.buffer;

import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.Context;

/**
 * Keeps the code GraalPy parsed for Tessera's parts and its own standard library shared by every interpreter of the
 * engine, for as long as the process runs.
 *
 * <p>Why it is needed: Truffle caches one parse per source text in the engine, and every interpreter that compiles
 * the same text gets the same code, compiled once. But the cache holds each entry only as long as the {@code Source}
 * object that made it is reachable, and GraalPy's {@code compile()} (which Tessera's parts and every module import go
 * through) builds a new one each time and keeps none: the entry goes at the next garbage collection. So whether a
 * new interpreter reused the compiled {@code submit}, {@code result} and {@code threading} of the last one was luck
 * (seen with TraceCompilation on a warm service: the second script reused them, the third parsed them anew and ran
 * them in the bytecode interpreter again, a trivial task's round trip at 1.5-3 ms instead of 0.1). This class keeps
 * the keys of the entries that matter strongly: sources named {@code <tessera>/...}, GraalPy's frozen modules and
 * its standard library, for good; and the last {@value #RECENT_FILES} other files first parsed (the main script,
 * which every worker imports, and the user's modules: a script's workers then share one compiled copy, and a
 * service's next run of the same script finds it), so that a service running many scripts keeps a bounded number.
 *
 * <p>Truffle has no API for this, so the cache is read by reflection (the GraalPy and Truffle versions are pinned).
 * If its fields are not found, nothing is kept and {@code -Dtessera.traceStartup=true} says why, once.
 */
public final class SharedCode {
    static final int RECENT_FILES = 256;
    private static final Set<Object> KEPT = Collections.newSetFromMap(new IdentityHashMap<>()); // guarded by itself
    /** The other files' sources, in the order first seen; the oldest goes first (guarded by KEPT). */
    private static final Map<Object, Boolean> RECENT = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Boolean> eldest) {
            return size() > RECENT_FILES;
        }
    };
    private static final Cache CACHE = Cache.find();
    private static volatile String home; // GraalPy's home: the standard library's sources lie below it

    private SharedCode() {
    }

    /**
     * Keeps what {@code context}'s engine has parsed so far for Tessera's parts and the standard library. Cheap
     * (a walk over the engine's cache); call it after code was compiled, before a collection can drop it.
     */
    public static void keep(Context context) {
        if (CACHE == null) {
            return;
        }
        String h = home;
        if (h == null) {
            home = h = context.eval("python", "__import__('sys').base_prefix").asString() + "/";
        }
        try {
            Map<?, ?> entries = CACHE.entries(context);
            for (Object key : entries.keySet()) {
                if (key instanceof Reference<?> ref && ref.get() instanceof com.oracle.truffle.api.source.Source s) {
                    if (kept(s, h)) {
                        synchronized (KEPT) {
                            KEPT.add(s);
                        }
                    } else if (s.getPath() != null) {
                        synchronized (KEPT) {
                            RECENT.put(new Identity(s), Boolean.TRUE);
                        }
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            Cache.unavailable(e);
        }
    }

    /** How many sources are kept for good, and how many recent files (for tests and tracing). */
    public static int keptCount() {
        synchronized (KEPT) {
            return KEPT.size();
        }
    }

    static int recentCount() {
        synchronized (KEPT) {
            return RECENT.size();
        }
    }

    /** A source by identity: the cache's entry lives as long as this very object (equal ones are other keys). */
    private record Identity(Object source) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Identity i && i.source == source;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(source);
        }
    }

    /**
     * Tessera's parts, GraalPy's frozen modules, and the standard library's (from its bytecode files, named by their
     * path, or from source, with a path).
     */
    private static boolean kept(com.oracle.truffle.api.source.Source s, String home) {
        String name = s.getName();
        String path = s.getPath();
        return name != null && (name.startsWith("<tessera>/") || name.startsWith("<frozen ") || name.startsWith(home))
                || path != null && path.startsWith(home);
    }

    /** The reflective path from a context to its engine's weak source cache (Truffle 25.0.3's field names). */
    private record Cache(Field receiver, Field layer, Field shared, Field sourceCache, Field weakCache, Field map) {
        static Cache find() {
            try {
                Field receiver = field(Context.class, "receiver");
                Class<?> contextImpl = Class.forName("com.oracle.truffle.polyglot.PolyglotContextImpl");
                Class<?> layer = Class.forName("com.oracle.truffle.polyglot.PolyglotSharingLayer");
                Class<?> shared = Class.forName("com.oracle.truffle.polyglot.PolyglotSharingLayer$Shared");
                Class<?> cache = Class.forName("com.oracle.truffle.polyglot.PolyglotSourceCache");
                Class<?> weak = Class.forName("com.oracle.truffle.polyglot.PolyglotSourceCache$WeakCache");
                return new Cache(receiver, field(contextImpl, "layer"), field(layer, "shared"), field(shared, "sourceCache"),
                        field(cache, "weakCache"), field(weak, "sourceCache"));
            } catch (ReflectiveOperationException | RuntimeException e) {
                unavailable(e);
                return null;
            }
        }

        Map<?, ?> entries(Context context) throws ReflectiveOperationException {
            Object shared = this.shared.get(layer.get(receiver.get(context)));
            return (Map<?, ?>) map.get(weakCache.get(sourceCache.get(shared)));
        }

        private static Field field(Class<?> c, String name) throws NoSuchFieldException {
            Field f = c.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        }

        private static volatile boolean told;

        static void unavailable(Exception e) {
            if (!told && Boolean.getBoolean("tessera.traceStartup")) {
                told = true;
                System.err.println("tessera: parsed code is not kept between interpreters (" + e + ")");
            }
        }
    }
}

