package dev.bulwark.bpf;

/** A libbpf or kernel call failed; the message says which, and the errno in words. */
public class BpfException extends RuntimeException {
    private final int errno;

    public BpfException(String operation, int errno) {
        super(operation + ": " + Bpf.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
