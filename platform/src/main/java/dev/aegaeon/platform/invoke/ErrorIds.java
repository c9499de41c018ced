package dev.aegaeon.platform.invoke;

import java.util.UUID;

import org.jboss.logging.Logger;

/**
 * Server-side failures as callers may see them: a generic message and an error id. The details
 * (paths, parser messages, file contents) go to the log under the same id, never to the caller,
 * so a reply neither leaks the file system nor tells an existing file from a missing one.
 */
public final class ErrorIds {
    private static final Logger LOG = Logger.getLogger(ErrorIds.class);

    private ErrorIds() {}

    public static String newId() {
        return "err-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** 503: {@code function} cannot serve; {@code detail} is logged, never returned. */
    public static InvocationError unavailable(String function, String detail) {
        String id = newId();
        LOG.warnf("[%s] function '%s' is unavailable: %s", id, function, detail);
        return InvocationError.unavailable("The model '" + function + "' is unavailable right now (error id " + id
                + "; the operator finds the cause in the server log and the admin API).");
    }

    /** 500: an unexpected fault; logged with its stack trace under the id. */
    public static InvocationError internal(String where, Throwable cause) {
        String id = newId();
        LOG.errorf(cause, "[%s] internal error in %s", id, where);
        return InvocationError.internal("The server had an error while processing your request (error id " + id + ").");
    }
}
