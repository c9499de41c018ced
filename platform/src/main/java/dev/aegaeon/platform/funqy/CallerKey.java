package dev.aegaeon.platform.funqy;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The API key the caller of a Funqy function or CloudEvent presented, from the HTTP request's
 * {@code Authorization: Bearer} header, as the OpenAI routes read it: Funqy hands functions only
 * the body, but its HTTP bindings expose the current request.
 */
@ApplicationScoped
public class CallerKey {
    @Inject
    CurrentVertxRequest request;

    Optional<String> get() {
        RoutingContext ctx = request.getCurrent();
        if (ctx == null) return Optional.empty();
        String h = ctx.request().getHeader("Authorization");
        if (h == null) return Optional.empty();
        return Optional.of(h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : h.strip());
    }
}
