package dev.aegaeon.platform.admin;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.FunctionSpecCodec;
import dev.aegaeon.functions.SpecValidationException;
import dev.aegaeon.platform.boot.PlatformRuntime;
import dev.aegaeon.platform.engine.BackendException;
import dev.aegaeon.platform.engine.FunctionStatus;
import dev.aegaeon.platform.registry.FunctionRegistry.Registration;

/**
 * Function administration. Bodies are a function spec as JSON (or YAML with
 * {@code Content-Type: application/yaml}); errors use OpenAI's error shape with {@code param} set
 * to the offending field. Every call has passed {@link AdminGuard} (admin token, same origin,
 * a JSON or YAML body). API keys are stored hashed and shown redacted.
 */
@Path("/admin/functions")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    @Inject
    PlatformRuntime runtime;

    @GET
    @Operation(summary = "List functions with their state and traffic")
    public List<Map<String, Object>> list() {
        return runtime.registry().all().stream().map(this::describe).toList();
    }

    @GET
    @Path("{name}")
    @Operation(summary = "Describe one function: spec, state, traffic, SLO attainment, last switch")
    public Response get(@PathParam("name") String name) {
        return runtime.registry().get(name).map(r -> Response.ok(describe(r)).build())
                .orElseGet(() -> notFound(name));
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
    @Operation(summary = "Register a function (409 if the name exists)")
    public Response create(@HeaderParam("Content-Type") String contentType, String body) throws IOException {
        FunctionSpec spec;
        try {
            spec = parse(contentType, body);
            runtime.modelRoots().check(spec); // before the check opens any file: never read outside the roots
            dev.aegaeon.platform.models.ModelSourceCheck.check(spec.model());
        } catch (SpecValidationException e) {
            return invalid(e);
        }
        try {
            if (!runtime.registry().create(spec))
                return error(409, "function_exists", "name", "A function named '" + spec.name() + "' already exists; use PUT to update it.");
        } catch (SpecValidationException e) {
            return invalid(e);
        }
        return Response.status(201).entity(describe(runtime.registry().get(spec.name()).orElseThrow())).build();
    }

    @PUT
    @Path("{name}")
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
    @Operation(summary = "Replace a function's spec (404 if absent)")
    public Response update(@PathParam("name") String name, @HeaderParam("Content-Type") String contentType, String body)
            throws IOException {
        FunctionSpec spec;
        try {
            spec = parse(contentType, body);
            runtime.modelRoots().check(spec); // before the check opens any file: never read outside the roots
            dev.aegaeon.platform.models.ModelSourceCheck.check(spec.model());
        } catch (SpecValidationException e) {
            return invalid(e);
        }
        if (!spec.name().equals(name))
            return error(400, "invalid_value", "name", "The body's name '" + spec.name() + "' differs from the path's '" + name + "'.");
        try {
            if (!runtime.registry().update(spec)) return notFound(name);
        } catch (SpecValidationException e) {
            return invalid(e);
        }
        return Response.ok(describe(runtime.registry().get(name).orElseThrow())).build();
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Remove a function; its running invocations end")
    public Response delete(@PathParam("name") String name) throws IOException {
        return runtime.registry().delete(name) ? Response.noContent().build() : notFound(name);
    }

    private static FunctionSpec parse(String contentType, String body) {
        boolean yaml = contentType != null && contentType.toLowerCase().contains("yaml");
        return yaml ? FunctionSpecCodec.parseYaml(body) : FunctionSpecCodec.parseJson(body);
    }

    private Map<String, Object> describe(Registration r) {
        String name = r.spec().name();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", name);
        Map<String, Object> spec = FunctionSpecCodec.toTree(r.spec());
        if (spec.remove("apiKey") != null) spec.put("apiKey", "<redacted>"); // never echo a secret
        d.put("spec", spec);
        d.put("created", r.created().toString());
        try {
            FunctionStatus s = runtime.backend().status(name);
            d.put("state", s.state().name());
            d.put("kv", Map.of("blocksUsed", s.kvBlocksUsed(), "blocksTotal", s.kvBlocksTotal(), "usage", s.kvUsage()));
            d.put("switches", s.switches());
            d.put("loadSeconds", s.loadSeconds());
            d.put("lastSwitch", s.lastSwitch().map(Object::toString).orElse(null));
            s.download().ifPresent(p -> d.put("download", Map.of("bytesDone", p.bytesDone(), "bytesTotal", p.bytesTotal())));
        } catch (BackendException.UnknownFunction e) {
            d.put("state", "UNKNOWN");
        }
        d.put("lastError", runtime.backend().failure(name).orElse(null)); // details only the operator may see
        if (runtime.backend() instanceof dev.aegaeon.platform.pool.PooledInferenceBackend pooled) {
            d.put("transfers", pooled.pool().loadProgress(name).stream().map(AdminResource::transfer).toList());
        }
        runtime.service().traffic(name).ifPresent(t -> d.put("traffic", Map.of("running", t.running(), "waiting", t.waiting(),
                "accepted", t.accepted(), "rejected", t.rejected(), "completed", t.completed())));
        var slo = runtime.metrics().sloAttainment(name);
        d.put("sloAttainment", slo.isPresent() ? slo.getAsDouble() : null);
        return d;
    }

    /** A weight transfer in progress (a load onto a device, or a download) as JSON: percent and rate. */
    private static Map<String, Object> transfer(dev.aegaeon.worker.LoadProgress.Snapshot s) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("phase", s.phase().name().toLowerCase(java.util.Locale.ROOT));
        if (s.device() >= 0) t.put("device", s.device());
        t.put("percent", Math.round(s.percent() * 10) / 10.0);
        t.put("bytesDone", s.doneBytes());
        t.put("bytesTotal", s.totalBytes());
        t.put("bytesPerSecond", Math.round(s.bytesPerSecond()));
        t.put("seconds", Math.round(s.seconds() * 100) / 100.0);
        return t;
    }

    private static Response invalid(SpecValidationException e) {
        return error(400, "invalid_spec", e.field(), e.getMessage());
    }

    private static Response notFound(String name) {
        return error(404, "function_not_found", "name", "No function named '" + name + "'.");
    }

    private static Response error(int status, String code, String param, String message) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("message", message);
        err.put("type", "invalid_request_error");
        err.put("param", param);
        err.put("code", code);
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", err)).build();
    }
}
