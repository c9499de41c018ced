package dev.aegaeon.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the catalogue's topics that do not exist yet; existing topics are left exactly as they
 * are. The replication factor is the broker's default, so the same code fits a one-node test
 * broker and a replicated cluster.
 */
public final class TopicProvisioner {
    private TopicProvisioner() {}

    /**
     * @return the names of the topics this call created (empty when all existed)
     */
    public static List<String> ensure(Admin admin, Collection<TopicSpec> topics, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
        List<NewTopic> missing = topics.stream()
                .filter(t -> !existing.contains(t.name()))
                .map(t -> new NewTopic(t.name(), Optional.of(t.partitions()), Optional.empty()).configs(t.configs()))
                .toList();
        if (missing.isEmpty()) return List.of();
        // A topic may exist though the listing missed it (another node created it since, or the
        // broker's metadata lags its controller's): that is the goal reached, not a creation.
        var results = admin.createTopics(missing).values();
        List<String> created = new java.util.ArrayList<>();
        for (NewTopic t : missing) {
            try {
                results.get(t.name()).get(timeoutMs, TimeUnit.MILLISECONDS);
                created.add(t.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        }
        return created;
    }
}
