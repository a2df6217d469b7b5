package dev.bulwark.monitor;

import dev.bulwark.bpf.Bpf;
import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.config.Visibility;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * What the monitor's programs let through, in the kernel: the default classes of the host and of containers
 * (`monitor_config`), and per endpoint (`visibility`) the classes its visibility shows plus those its rules
 * need the monitor to see. Filtering there keeps unwanted events out of the ring buffer altogether.
 */
final class MonitorVisibility {
    private static final Logger LOG = Logger.getLogger("bulwark.monitor");

    private final MonitorMaps maps;
    private final boolean enforcing;

    /** @param enforcing whether an enforcer decides the rules (if not, the monitor must see what they are about) */
    MonitorVisibility(MonitorMaps maps, boolean enforcing) {
        this.maps = maps;
        this.enforcing = enforcing;
    }

    void writeDefaults(List<Visibility> host, List<Visibility> containers) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment key = call.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = call.allocate(KernelLayout.MONITOR_CONFIG);
            value.set(ValueLayout.JAVA_INT, KernelLayout.offset(KernelLayout.MONITOR_CONFIG, "host_classes"),
                    mask(classes(host)));
            value.set(ValueLayout.JAVA_INT, KernelLayout.offset(KernelLayout.MONITOR_CONFIG, "container_classes"),
                    mask(classes(containers)));
            Bpf.update(maps.config(), key, value, "the monitor's visibility defaults");
        }
    }

    /** The endpoint sees its visible classes, plus what its rules (null: none) need. */
    void write(Endpoint endpoint, List<Visibility> visible, RuleSet ruleSet) {
        Set<RuleClass> classes = EnumSet.noneOf(RuleClass.class);
        classes.addAll(classes(visible));
        classes.addAll(needed(ruleSet));
        try (Arena call = Arena.ofConfined()) {
            MemorySegment value = call.allocate(KernelLayout.VISIBILITY);
            value.set(ValueLayout.JAVA_INT, 0, mask(classes));
            Bpf.update(maps.visibility(), KernelLayout.endpointKey(call, endpoint.identity()), value,
                    "the visibility of " + endpoint.describe());
        } catch (RuntimeException e) {
            LOG.error("Visibility of " + endpoint.describe() + " not set in the kernel: " + e.getMessage());
        }
    }

    void delete(KernelIdentity identity) {
        try (Arena call = Arena.ofConfined()) {
            Bpf.delete(maps.visibility(), KernelLayout.endpointKey(call, identity));
        }
    }

    /** Syscall rules need process and file events; so do all rules where no enforcer decides. */
    private Set<RuleClass> needed(RuleSet ruleSet) {
        Set<RuleClass> classes = EnumSet.noneOf(RuleClass.class);
        if (ruleSet != null && (!ruleSet.syscalls().isEmpty() || (!enforcing && !ruleSet.entries().isEmpty()))) {
            classes.add(RuleClass.PROCESS);
            classes.add(RuleClass.FILE);
        }
        return classes;
    }

    private static int mask(Set<RuleClass> classes) {
        int mask = 0;
        for (RuleClass ruleClass : classes) {
            mask |= 1 << ruleClass.ordinal();
        }
        return mask;
    }

    static Set<RuleClass> classes(List<Visibility> visibility) {
        Set<RuleClass> classes = EnumSet.noneOf(RuleClass.class);
        for (Visibility v : visibility) {
            switch (v) {
                case process -> classes.add(RuleClass.PROCESS);
                case file -> classes.add(RuleClass.FILE);
                case network -> classes.add(RuleClass.NETWORK);
                case capabilities -> classes.add(RuleClass.CAPABILITIES);
                case dns -> classes.add(RuleClass.DNS);
                case none -> {
                }
            }
        }
        return classes;
    }
}
