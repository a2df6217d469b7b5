package dev.bulwark.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Informers that start without waiting for the API server: `inform()` blocks until the first list succeeds,
 * which would hold the agent (and its shutdown) hostage to an absent API server. These start in the background
 * and keep retrying; events flow once the server answers.
 */
final class Informers {
    private Informers() {
    }

    static <R extends HasMetadata> SharedIndexInformer<R> start(Informable<R> source, ResourceEventHandler<R> handler) {
        SharedIndexInformer<R> informer = source.runnableInformer(0);
        informer.exceptionHandler((started, error) -> true); // retry on every failure, forever
        informer.addEventHandler(handler);
        informer.start();
        return informer;
    }
}
