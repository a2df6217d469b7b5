package dev.bulwark.policy;

/** Names fixed by KubeArmor's API. */
public final class KubeArmor {
    public static final String GROUP = "security.kubearmor.com";
    public static final String VERSION = "v1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    private KubeArmor() {
    }
}
