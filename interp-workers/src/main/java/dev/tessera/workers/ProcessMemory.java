package dev.tessera.workers;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process as the JVM and the kernel count it: heap in use and committed, resident set size, and the CPU time
 * of all its threads (the JIT's compilers and the collector's threads included; -1 where the JVM cannot tell).
 */
public record ProcessMemory(long heapUsedBytes, long heapCommittedBytes, long rssBytes, long cpuNanos) {

    /** Now; with {@code collect}, after a full garbage collection (so that heap in use is live data). */
    public static ProcessMemory now(boolean collect) {
        if (collect) {
            System.gc();
            System.gc();
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new ProcessMemory(heap.getUsed(), heap.getCommitted(), rss(), processCpuNanos());
    }

    /** CPU time of the whole process, or -1 where the JVM does not report it. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
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
