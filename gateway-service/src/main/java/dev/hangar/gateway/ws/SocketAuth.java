package dev.hangar.gateway.ws;

import dev.hangar.contracts.Json;
import dev.hangar.gateway.auth.AuthFilter;
import dev.hangar.gateway.auth.TokenStore;
import dev.hangar.gateway.config.GatewayConfig;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** The owner a WebSocket acts as, from the bearer token of its upgrade request; none closes it with a problem. */
@ApplicationScoped
public class SocketAuth {
    private final TokenStore tokens;
    private final GatewayConfig config;

    public SocketAuth(TokenStore tokens, GatewayConfig config) {
        this.tokens = tokens;
        this.config = config;
    }

    Optional<String> owner(WebSocketConnection connection) {
        var owner = AuthFilter.ownerOf(connection.handshakeRequest().header("Authorization"), tokens, config);
        if (owner.isEmpty()) {
            connection.sendText(Json.write(AuthFilter.UNAUTHORIZED)).chain(() -> connection.close()).subscribe().with(ok -> { }, e -> { });
        }
        return owner;
    }
}
