package dev.bulwark.policy;

/** Names fixed by KubeArmor's API. */
public final class KubeArmor {
    public static final String GROUP = "security.kubearmor.com";
    public static final String VERSION = "v1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    /**
     * The namespace of containers no pod owns (docker, containerd without Kubernetes), as upstream names it; not a
     * DNS label, yet a policy's namespace may be it.
     */
    public static final String STANDALONE_NAMESPACE = "container_namespace";

    private KubeArmor() {
    }
}
