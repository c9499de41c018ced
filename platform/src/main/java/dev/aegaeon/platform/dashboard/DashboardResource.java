package dev.aegaeon.platform.dashboard;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestStreamElementType;

import dev.aegaeon.platform.boot.PlatformRuntime;
import io.smallrye.mutiny.Multi;

/**
 * The dashboard's data (the page itself is the public static {@code /dashboard/}). Under
 * {@code /admin} because it shows operational data: whatever guards the admin routes guards these.
 * The page sends {@code Authorization: Bearer <token>} on both (it reads the stream with
 * {@code fetch}, since {@code EventSource} cannot send headers).
 */
@Path("/admin/dashboard")
public class DashboardResource {
    /** How often the stream sends an update: the page's refresh rate, capped here, not by clients. */
    static final Duration PERIOD = Duration.ofSeconds(1);
    /** History the stream's first event carries and a snapshot carries by default. */
    static final int DEFAULT_WINDOW_SECONDS = 120;

    @Inject
    PlatformRuntime runtime;

    @GET
    @Path("snapshot")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Timeline of every device for the last window seconds, functions and pool figures (a recording the page can replay)")
    public Response snapshot(@QueryParam("window") @DefaultValue("120") int windowSeconds) {
        DashboardView view = new DashboardView(runtime);
        TimelineWindow w = TimelineWindow.of(view.recorder(), windowSeconds);
        if (w.error() != null) return Response.status(400).entity(w.error()).build();
        Map<String, Object> snap = view.snapshot(w.fromMillis());
        return Response.ok(snap).build();
    }

    @GET
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events: the snapshot's history first, then once a second what changed since")
    public Multi<Map<String, Object>> stream() {
        return Multi.createFrom().deferred(() -> {
            DashboardView view = new DashboardView(runtime);
            long[] seen = {-1};
            return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(PERIOD).onOverflow().drop()
                    .map(tick -> {
                        // the window's buckets changed since the last event: new ones, the open one, and
                        // older ones a long span (recorded when it ended) filled in meanwhile
                        double from = TimelineWindow.of(view.recorder(), DEFAULT_WINDOW_SECONDS).fromMillis();
                        Map<String, Object> snap = view.snapshot(from, seen[0]);
                        if (snap.get("version") instanceof Number v) seen[0] = v.longValue();
                        return snap;
                    });
        });
    }
}
