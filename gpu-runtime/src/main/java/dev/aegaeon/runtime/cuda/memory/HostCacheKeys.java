package dev.aegaeon.runtime.cuda.memory;

import java.util.Optional;

/**
 * Names what {@link HostModelCache} keeps a load's tensors under (the key prefix; the tensor name
 * follows). Invariant: loads of sources with equal identities get equal keys, so their pinned bytes
 * are shared; a load without identity gets a key no other load ever gets. The two kinds cannot
 * collide: each has its own prefix.
 */
public final class HostCacheKeys {
    private long anonymousLoads;

    public synchronized String sourceKey(Optional<String> identity) {
        if (identity.isPresent()) return "id:" + identity.get();
        return "load:" + (++anonymousLoads);
    }
}
