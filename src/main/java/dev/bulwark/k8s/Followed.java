package dev.bulwark.k8s;

/** Something the agent follows on the API server, for readiness: has it been listed once, is it watched now. */
interface Followed {
    /** What it is, as readiness names it: "pods of this node". */
    String what();

    /** Listed at least once: what the agent knows of it is complete (if maybe old). */
    boolean synced();

    /** Changes arrive now; false while the API server is away. */
    boolean watching();
}
