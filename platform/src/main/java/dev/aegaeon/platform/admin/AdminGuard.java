package dev.aegaeon.platform.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import dev.aegaeon.platform.boot.PlatformRuntime;

/**
 * The gate in front of every {@code /admin} route, before any of them reads the request:
 * <ol>
 *   <li>a write whose {@code Origin} is another site is refused (403): a page in a browser must not
 *       change functions, whatever the browser sends along;</li>
 *   <li>the caller must present {@code Authorization: Bearer <admin token>} (401 otherwise);</li>
 *   <li>a POST or PUT must declare a JSON or YAML body (415) and carry one (400 at once, rather
 *       than a worker waiting for bytes that never come).</li>
 * </ol>
 * Errors use OpenAI's shape, as the rest of the API does.
 */
@ApplicationScoped
public class AdminGuard {
    /** Runs before the body handlers and the REST layer. */
    static final int PRIORITY = 1000;
    private static final Set<String> BODY_TYPES = Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml");

    @Inject
    PlatformRuntime runtime;

    @Inject
    AdminConfig config;

    private AdminToken token;

    void register(@Observes Filters filters) {
        try {
            token = AdminToken.load(config.token(), runtime.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin token: " + e.getMessage(), e);
        }
        filters.register(this::filter, PRIORITY);
    }

    /** The admin token, once the HTTP layer is set up. */
    public AdminToken token() {
        return token;
    }

    static boolean isAdminPath(String path) {
        return path != null && (path.equals("/admin") || path.startsWith("/admin/"));
    }

    private void filter(RoutingContext ctx) {
        if (!isAdminPath(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        HttpMethod method = ctx.request().method();
        boolean write = !(method == HttpMethod.GET || method == HttpMethod.HEAD);
        if (write && crossOrigin(ctx)) {
            refuse(ctx, 403, "cross_origin_refused", "Admin changes are refused from another origin.");
            return;
        }
        String auth = ctx.request().getHeader("Authorization");
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
        if (!token.matches(presented)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"aegaeon-admin\"");
            refuse(ctx, 401, "invalid_admin_token", "The admin API needs 'Authorization: Bearer <admin token>'; the token is in the "
                    + "data directory's " + AdminToken.FILE_NAME + " file, or set by aegaeon.admin.token.");
            return;
        }
        if (method == HttpMethod.POST || method == HttpMethod.PUT) {
            String type = ctx.request().getHeader("Content-Type");
            String base = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!BODY_TYPES.contains(base)) {
                refuse(ctx, 415, "unsupported_media_type", "Send the function spec as application/json or application/yaml.");
                return;
            }
            String length = ctx.request().getHeader("Content-Length");
            boolean chunked = ctx.request().getHeader("Transfer-Encoding") != null;
            if (!chunked && (length == null || length.strip().equals("0"))) {
                refuse(ctx, 400, "empty_body", "The request body is empty; send a function spec.");
                return;
            }
        }
        ctx.next();
    }

    /** An {@code Origin} other than this server's scheme and host (a browser sends it on cross-site writes). */
    private static boolean crossOrigin(RoutingContext ctx) {
        String origin = ctx.request().getHeader("Origin");
        if (origin == null) return false;
        String host = ctx.request().getHeader("Host");
        return host == null || !origin.equalsIgnoreCase(ctx.request().scheme() + "://" + host);
    }

    private static void refuse(RoutingContext ctx, int status, String code, String message) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("message", message);
        err.put("type", "invalid_request_error");
        err.put("param", null);
        err.put("code", code);
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject(Map.of("error", err)).encode());
    }
}
