package dev.tessera.workers;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's memory as the JVM and the kernel count it: heap in use and committed, and resident set size. */
public record ProcessMemory(long heapUsedBytes, long heapCommittedBytes, long rssBytes) {

    /** Now; with {@code collect}, after a full garbage collection (so that heap in use is live data). */
    public static ProcessMemory now(boolean collect) {
        if (collect) {
            System.gc();
            System.gc();
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new ProcessMemory(heap.getUsed(), heap.getCommitted(), rss());
    }

    /** Resident set size from /proc/self/status, or -1 where there is none. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}
