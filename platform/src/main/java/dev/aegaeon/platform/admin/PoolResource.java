package dev.aegaeon.platform.admin;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.platform.pool.PooledInferenceBackend;
import dev.aegaeon.worker.PoolStats;

/**
 * The model pool's device-time counters as JSON (the same numbers as the {@code aegaeon_pool_*}
 * metrics), monotonic since start: a load generator reads them before and after a run.
 */
@Path("/admin/pool")
@Produces(MediaType.APPLICATION_JSON)
public class PoolResource {
    @Inject
    PlatformRuntime runtime;

    @GET
    @Operation(summary = "Pool policy, device busy/load/swap seconds, switches, shared host images and stalls")
    public Response get() {
        if (!(runtime.backend() instanceof PooledInferenceBackend pooled)) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("message", "The platform runs the " + runtime.backend().name() + " backend, not the model pool.");
            err.put("type", "invalid_request_error");
            err.put("param", null);
            err.put("code", "no_model_pool");
            return Response.status(404).entity(Map.of("error", err)).build();
        }
        PoolStats s = pooled.poolStats();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("policy", s.policy() == dev.aegaeon.worker.PoolPolicy.REQUEST_LEVEL ? "request-level" : "aegaeon");
        d.put("device", s.backend());
        d.put("models", s.models());
        d.put("busySeconds", s.busySeconds());
        d.put("loadSeconds", s.loadSeconds());
        d.put("swapSeconds", s.swapSeconds());
        d.put("freeSeconds", s.freeSeconds());
        d.put("switches", s.switches());
        d.put("kvSwapOuts", s.kvSwapOuts());
        d.put("kvRecomputes", s.kvRecomputes());
        d.put("kvSwapHostBytes", s.kvSwapHostBytes());
        d.put("openHostImages", s.openHostImages());
        d.put("stalls", s.stalls());
        return Response.ok(d).build();
    }
}
