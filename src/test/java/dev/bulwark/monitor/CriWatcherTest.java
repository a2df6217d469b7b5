package dev.bulwark.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.Eventually;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.identity.runtime.cri.ContainerConfig;
import dev.bulwark.identity.runtime.cri.ContainerMetadata;
import dev.bulwark.identity.runtime.cri.ContainerStatusRequest;
import dev.bulwark.identity.runtime.cri.CreateContainerRequest;
import dev.bulwark.identity.runtime.cri.ExecSyncRequest;
import dev.bulwark.identity.runtime.cri.ImageSpec;
import dev.bulwark.identity.runtime.cri.LinuxPodSandboxConfig;
import dev.bulwark.identity.runtime.cri.LinuxSandboxSecurityContext;
import dev.bulwark.identity.runtime.cri.NamespaceMode;
import dev.bulwark.identity.runtime.cri.NamespaceOption;
import dev.bulwark.identity.runtime.cri.PodSandboxConfig;
import dev.bulwark.identity.runtime.cri.PodSandboxMetadata;
import dev.bulwark.identity.runtime.cri.RemovePodSandboxRequest;
import dev.bulwark.identity.runtime.cri.RunPodSandboxRequest;
import dev.bulwark.identity.runtime.cri.RuntimeServiceGrpc.RuntimeServiceBlockingStub;
import dev.bulwark.identity.runtime.cri.RuntimeServiceGrpc;
import dev.bulwark.identity.runtime.cri.StartContainerRequest;
import dev.bulwark.identity.runtime.cri.StopContainerRequest;
import dev.bulwark.identity.runtime.cri.StopPodSandboxRequest;
import dev.bulwark.telemetry.Log;
import dev.bulwark.telemetry.Telemetry;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The CRI watcher against a real CRI runtime: containerd's CRI plugin, driven here the way a kubelet drives
 * it (a pod sandbox on the node's network, a container with kubelet's labels, exec, stop).
 */
@QuarkusTest
@TestProfile(CriWatcherTest.Profile.class)
@QuarkusTestResource(value = ContainerDaemons.class, restrictToAnnotatedClass = true)
class CriWatcherTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bulwark.enableSystemMonitor", "true",
                    "bulwark.criSocket", "unix://" + ContainerDaemons.CONTAINERD,
                    "bulwark.containerRuntime", "cri",
                    "bulwark.hostVisibility", "none",
                    "bulwark.visibility", "process");
        }
    }

    @Inject
    EndpointRegistry endpoints;
    @Inject
    Telemetry telemetry;

    @Test
    void podContainersAreLearnedWithKubeletsLabelsAndForgottenWhenTheyStop() throws Exception {
        EpollEventLoopGroup loop = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(ContainerDaemons.CONTAINERD))
                .eventLoopGroup(loop).channelType(EpollDomainSocketChannel.class).overrideAuthority("localhost")
                .usePlaintext().build();
        List<Object> records = new CopyOnWriteArrayList<>();
        String sandbox = null;
        try (AutoCloseable subscription = telemetry.subscribe(records::add)) {
            RuntimeServiceBlockingStub cri = RuntimeServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                    .setMetadata(PodSandboxMetadata.newBuilder().setName("web-1").setNamespace("shop").setUid("u-1"))
                    .putLabels("app", "web")
                    .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext
                            .newBuilder().setNamespaceOptions(NamespaceOption.newBuilder()
                                    .setNetwork(NamespaceMode.NODE).setPid(NamespaceMode.CONTAINER))))
                    .build();
            sandbox = cri.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build()).getPodSandboxId();
            String id = cri.createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(sandbox)
                    .setSandboxConfig(pod).setConfig(ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("nginx"))
                            .setImage(ImageSpec.newBuilder().setImage("docker.io/" + ContainerDaemons.IMAGE))
                            .addCommand("sleep").addArgs("60")
                            .putLabels("io.kubernetes.pod.name", "web-1")
                            .putLabels("io.kubernetes.pod.namespace", "shop")
                            .putLabels("io.kubernetes.container.name", "nginx")
                            .putLabels("app", "web"))
                    .build()).getContainerId();
            cri.startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());

            Endpoint web = await(() -> endpoints.all().stream().filter(e -> id.equals(e.containerId())).findFirst()
                    .orElse(null), Duration.ofSeconds(1));
            assertNotNull(web, "learned within 1 s of StartContainer returning");
            assertEquals("shop", web.namespace());
            assertEquals("web-1", web.pod());
            assertEquals("nginx", web.container());
            assertEquals("web", web.labels().get("app"));
            assertEquals("docker.io/" + ContainerDaemons.IMAGE, web.image());
            long pid = new ObjectMapper().readTree(cri.containerStatus(ContainerStatusRequest.newBuilder()
                    .setContainerId(id).setVerbose(true).build()).getInfoOrThrow("info")).path("pid").asLong();
            assertEquals(KernelIdentity.ofProcess(pid), web.identity());
            String sandboxId = sandbox;
            assertTrue(endpoints.all().stream().noneMatch(e -> sandboxId.equals(e.containerId())),
                    "the pod sandbox is not a workload");

            assertEquals(0, cri.execSync(ExecSyncRequest.newBuilder().setContainerId(id)
                    .addCmd("cat").addCmd("/etc/hostname").setTimeout(30).build()).getExitCode());
            Log exec = await(() -> records.stream().filter(Log.class::isInstance).map(Log.class::cast)
                    .filter(l -> id.equals(l.context().containerId()) && l.resource().contains("/etc/hostname"))
                    .findFirst().orElse(null), Duration.ofSeconds(10));
            assertNotNull(exec, "the exec through CRI is logged for the container");
            assertEquals("web-1", exec.context().podName());
            assertEquals("nginx", exec.context().containerName());

            cri.stopContainer(StopContainerRequest.newBuilder().setContainerId(id).setTimeout(0).build());
            assertNotNull(await(() -> endpoints.all().stream().noneMatch(e -> id.equals(e.containerId())) ? id : null,
                    Duration.ofSeconds(2)), "forgotten once stopped");
        } finally {
            if (sandbox != null) {
                RuntimeServiceBlockingStub cri = RuntimeServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(30, TimeUnit.SECONDS);
                cri.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandbox).build());
                cri.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandbox).build());
            }
            channel.shutdownNow();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    static <T> T await(Supplier<T> probe, Duration within) throws InterruptedException {
        return Eventually.poll(within, Duration.ofMillis(10), probe, value -> value != null);
    }
}
