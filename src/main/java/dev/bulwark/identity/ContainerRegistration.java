package dev.bulwark.identity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The registration protocol of the container socket, in the shape of OCI runtime hooks: a runtime (or the
 * `bulwark hook` command it runs as a hook) sends the operation and the container's OCI state; the agent
 * answers once the container's rules are in the kernel, so they hold from the container's first exec.
 */
public final class ContainerRegistration {
    private ContainerRegistration() {
    }

    /** Kubernetes' CRI annotations that name a container; `bulwark.io/labels` carries "k=v,..." labels. */
    public static final String NAMESPACE = "io.kubernetes.pod.namespace";
    public static final String POD = "io.kubernetes.pod.name";
    public static final String CONTAINER = "io.kubernetes.container.name";
    public static final String LABELS = "bulwark.io/labels";
    /** The same names as containerd's CRI plugin puts them in a container's OCI annotations. */
    public static final String CRI_NAMESPACE = "io.kubernetes.cri.sandbox-namespace";
    public static final String CRI_POD = "io.kubernetes.cri.sandbox-name";
    public static final String CRI_CONTAINER = "io.kubernetes.cri.container-name";
    public static final String CRI_IMAGE = "io.kubernetes.cri.image-name";

    /** The OCI runtime state (runtime-spec "state"), as hooks receive it on stdin. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OciState(String ociVersion, String id, String status, Integer pid, String bundle,
            Map<String, String> annotations) {
    }

    /** op: "create" (the container exists, its process has not exec'd yet) or "delete". */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Request(String op, OciState state) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Response(String status, String message) {
        public static Response ok(String message) {
            return new Response("ok", message);
        }

        public static Response error(String message) {
            return new Response("error", message);
        }
    }
}
