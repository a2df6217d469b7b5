package dev.bulwark.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;

/**
 * What the agent follows on the API server through informers: synced and watching when all of them are, closed
 * when the agent stops.
 *
 * <p>The informers start without waiting for the API server: `inform()` blocks until the first list succeeds,
 * which would hold the agent (and its shutdown) hostage to an absent API server. These start in the background
 * and keep retrying; events flow once the server answers.
 */
abstract class InformerWatcher implements Followed {
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    protected synchronized <R extends HasMetadata> void inform(Informable<R> source, ResourceEventHandler<R> handler) {
        SharedIndexInformer<R> informer = source.runnableInformer(0);
        informer.exceptionHandler((started, error) -> true); // retry on every failure, forever
        informer.addEventHandler(handler);
        informer.start();
        informers.add(informer);
    }

    @Override
    public synchronized boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    @Override
    public synchronized boolean watching() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::isWatching);
    }

    @PreDestroy
    synchronized void stop() {
        informers.forEach(SharedIndexInformer::close);
    }
}
