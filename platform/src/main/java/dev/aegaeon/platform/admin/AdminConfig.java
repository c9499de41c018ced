package dev.aegaeon.platform.admin;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** The admin API's configuration ({@code aegaeon.admin.*}). */
@ConfigMapping(prefix = "aegaeon.admin")
public interface AdminConfig {
    /**
     * The bearer token every {@code /admin} call must present. Unset: the token in
     * {@code <data-dir>/admin-token}, generated (and logged once) at the first start.
     */
    Optional<String> token();
}
