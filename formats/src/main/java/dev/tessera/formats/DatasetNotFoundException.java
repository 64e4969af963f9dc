package dev.tessera.formats;

/** No such file, no such dataset in the file, or a path that names something else (Python: KeyError or FileNotFoundError). */
public class DatasetNotFoundException extends FormatException {
    private final boolean fileMissing;

    public DatasetNotFoundException(String message, boolean fileMissing) {
        super(message);
        this.fileMissing = fileMissing;
    }

    /** True when the file (or Zarr directory) itself is missing, not a dataset in it. */
    public boolean fileMissing() {
        return fileMissing;
    }
}
