package dev.hangar.cli.client;

import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * An SSL context for clients that only speak plain http/ws: building it does not load the
 * platform trust store, and it trusts nothing, so it cannot silently accept a TLS peer.
 */
final class PlainHttp {
    static final SSLContext SSL = create();

    private PlainHttp() {}

    private static SSLContext create() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[0], null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
