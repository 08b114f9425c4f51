package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

class CallerTest {

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void theCallerIsTheAuthenticationsPrincipal() {
        var shop = new Caller("shop-eu", "shop");
        var authentication = UsernamePasswordAuthenticationToken.authenticated(shop, null,
                List.of(new SimpleGrantedAuthority("ROLE_CLIENT")));
        assertThat(Caller.of(authentication)).isEqualTo(shop);
        // the key's name, never the record's text, wherever Spring names the authentication
        assertThat(authentication.getName()).isEqualTo("shop-eu");

        SecurityContextHolder.getContext().setAuthentication(authentication);
        assertThat(Caller.current()).isEqualTo(shop);
    }

    @Test
    void withoutAKeyTheCallerIsAnonymousOfTheDefaultTenant() {
        assertThat(Caller.current()).isEqualTo(Caller.ANONYMOUS);
        assertThat(Caller.of(null)).isEqualTo(Caller.ANONYMOUS);
        var anonymous = new AnonymousAuthenticationToken("k", "anonymousUser", List.of(new SimpleGrantedAuthority("ROLE_ANONYMOUS")));
        assertThat(Caller.of(anonymous)).isEqualTo(Caller.ANONYMOUS);
        assertThat(Caller.ANONYMOUS.tenant()).isEqualTo(Caller.DEFAULT_TENANT).isEqualTo("default");
    }
}
