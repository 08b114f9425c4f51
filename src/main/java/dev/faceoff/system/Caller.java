package dev.faceoff.system;

import java.security.Principal;
import java.util.Objects;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Who sent the request being served: its API key's name and the key's tenant (the key's
 * {@code faceoff.security.keys[].tenant}, else its name). The security filters make it the principal of the
 * request's authentication; a request that no key authenticated — every request with keys off, or an open
 * endpoint's — is {@link #ANONYMOUS}, of tenant {@value #DEFAULT_TENANT}. The admin key of keys off
 * ({@code X-Admin-Key}) is of that tenant too: with keys off there is one tenant.
 *
 * <p>Read it with {@link #current()} on the request's thread, and hand the tenant on to work done elsewhere.
 *
 * @param name   the key's name (in logs and metrics); {@code anonymous} without a key
 * @param tenant whose data the request may see and change
 */
public record Caller(String name, String tenant) implements Principal {

    /** The tenant of every request with keys off. */
    public static final String DEFAULT_TENANT = "default";

    /** A request no key authenticated. */
    public static final Caller ANONYMOUS = new Caller("anonymous", DEFAULT_TENANT);

    public Caller {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tenant, "tenant");
    }

    /** The caller of the request on this thread. */
    public static Caller current() {
        return of(SecurityContextHolder.getContext().getAuthentication());
    }

    /** The caller an authentication names; {@link #ANONYMOUS} for none, or one of another kind. */
    static Caller of(Authentication authentication) {
        return authentication != null && authentication.getPrincipal() instanceof Caller caller ? caller : ANONYMOUS;
    }

    /** The key's name, so that {@link Authentication#getName()} is the key's name too. */
    @Override
    public String getName() {
        return name;
    }
}
