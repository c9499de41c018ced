package dev.aegaeon.runtime.cuda.memory;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class HostCacheKeysTest {

    @Test
    void equalIdentitiesShareAKeyAndDifferentOnesDoNot() {
        HostCacheKeys keys = new HostCacheKeys();
        String a = keys.sourceKey(Optional.of("synthetic:abc"));
        assertEquals(a, keys.sourceKey(Optional.of("synthetic:abc")));
        assertNotEquals(a, keys.sourceKey(Optional.of("synthetic:abd")));
    }

    @Test
    void everyLoadWithoutIdentityGetsItsOwnKey() {
        HostCacheKeys keys = new HostCacheKeys();
        String first = keys.sourceKey(Optional.empty());
        assertNotEquals(first, keys.sourceKey(Optional.empty()));
    }

    @Test
    void anIdentityNeverCollidesWithAnAnonymousLoad() {
        HostCacheKeys keys = new HostCacheKeys();
        String anonymous = keys.sourceKey(Optional.empty());
        // an identity spelled like the anonymous key's body still lands elsewhere
        assertNotEquals(anonymous, keys.sourceKey(Optional.of(anonymous)));
        assertNotEquals(anonymous, keys.sourceKey(Optional.of(anonymous.substring(anonymous.indexOf(':') + 1))));
    }
}
