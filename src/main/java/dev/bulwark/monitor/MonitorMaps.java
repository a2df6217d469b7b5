package dev.bulwark.monitor;

import dev.bulwark.bpf.Bpf;

/**
 * The maps of monitor.bpf.o, resolved by name once when it is loaded (a skeleton, as libbpf's bpftool-generated
 * ones are): the names are written here and nowhere else on the Java side.
 */
record MonitorMaps(int events, int lostEvents, int filteredEvents, int config, int visibility) {
    static MonitorMaps of(Bpf bpf) {
        return new MonitorMaps(bpf.mapFd("monitor_events"), bpf.mapFd("monitor_lost_events"),
                bpf.mapFd("filtered_events"), bpf.mapFd("monitor_config"), bpf.mapFd("visibility"));
    }
}
