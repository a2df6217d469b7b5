package dev.bulwark.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.identity.Endpoint;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** A pod's owner as KubeArmor reports it: the top controller. */
class PodOwnerTest {
    static Pod pod(String kind, String name, String hash) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("p-1").withNamespace("ns").endMetadata();
        if (hash != null) {
            pod.editMetadata().addToLabels("pod-template-hash", hash).endMetadata();
        }
        if (kind != null) {
            pod.editMetadata().addNewOwnerReference().withKind(kind).withName(name).withController(true)
                    .endOwnerReference().endMetadata();
        }
        return pod.build();
    }

    @Test
    void theTopControllerNamesThePod() {
        assertEquals(new Endpoint.Owner("Deployment", "web", "ns"),
                PodWatcher.owner(pod("ReplicaSet", "web-5d8f7", "5d8f7")));
        assertEquals(new Endpoint.Owner("ReplicaSet", "bare-rs", "ns"),
                PodWatcher.owner(pod("ReplicaSet", "bare-rs", null)));
        assertEquals(new Endpoint.Owner("DaemonSet", "agent", "ns"), PodWatcher.owner(pod("DaemonSet", "agent", null)));
        assertEquals(new Endpoint.Owner("CronJob", "backup", "ns"), PodWatcher.owner(pod("Job", "backup-28934560", null)));
        assertEquals(new Endpoint.Owner("Job", "migrate", "ns"), PodWatcher.owner(pod("Job", "migrate", null)));
        assertEquals(new Endpoint.Owner("Pod", "p-1", "ns"), PodWatcher.owner(pod(null, null, null)));
    }
}
