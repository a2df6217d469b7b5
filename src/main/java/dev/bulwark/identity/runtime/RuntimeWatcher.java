package dev.bulwark.identity.runtime;

/**
 * Follows one container runtime: lists its running containers at start, then registers each container that
 * starts and removes each that stops, in the endpoint registry.
 */
public interface RuntimeWatcher extends AutoCloseable {
    /** "docker", "containerd"... with the socket, for messages. */
    String describe();

    void start();

    @Override
    void close();
}
