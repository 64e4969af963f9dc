package dev.tessera.bench;

/** How long a bench run may take: tiny checks the plumbing (seconds, figures meaningless), quick is under 10 minutes. */
public enum Mode {
    TINY("--tiny"), QUICK("--quick"), FULL(null);

    private final String scriptFlag;

    Mode(String scriptFlag) {
        this.scriptFlag = scriptFlag;
    }

    /** The flag the Python scripts take for this mode, or null (full). */
    String scriptFlag() {
        return scriptFlag;
    }
}
