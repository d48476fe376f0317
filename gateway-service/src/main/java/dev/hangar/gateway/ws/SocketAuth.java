package dev.hangar.gateway.ws;

import dev.hangar.contracts.Json;
import dev.hangar.gateway.auth.Authenticator;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** The owner a WebSocket acts as, from its upgrade request ({@link Authenticator}); none closes it with the problem. */
@ApplicationScoped
public class SocketAuth {
    private final Authenticator authenticator;

    public SocketAuth(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    Optional<String> owner(WebSocketConnection connection) {
        var request = connection.handshakeRequest();
        var credentials = new Authenticator.Credentials(request.header("Authorization"), request.header("Cookie"),
                request.header("Origin"), request.header("Sec-Fetch-Site"), request.header("Host"), connection.isSecure(), true);
        return switch (authenticator.authenticate(credentials)) {
            case Authenticator.Owner o -> Optional.of(o.owner());
            case Authenticator.Refused r -> {
                connection.sendText(Json.write(r.problem())).chain(() -> connection.close()).subscribe().with(ok -> { }, e -> { });
                yield Optional.empty();
            }
        };
    }
}
