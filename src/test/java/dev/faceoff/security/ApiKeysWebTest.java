package dev.faceoff.security;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Keys on: each key's tenant reaches the controllers as {@code Caller}, and health shows its details to a key
 * of role admin only; everyone else, probes included, sees the status alone.
 */
@SpringBootTest(classes = SecurityTestApplication.class)
@AutoConfigureMockMvc
class ApiKeysWebTest {

    static final String CLIENT = "fo_client-key-of-the-web-test";
    static final String SHOP = "fo_shop-key-of-the-web-test";
    static final String ADMIN = "fo_admin-key-of-the-web-test";

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("faceoff.security.enabled", () -> "true");
        String[][] keys = {{"web-app", "client", CLIENT, null}, {"shop-eu", "client", SHOP, "shop"}, {"ops", "admin", ADMIN, null}};
        for (int i = 0; i < keys.length; i++) {
            String[] k = keys[i];
            registry.add("faceoff.security.keys[" + i + "].name", () -> k[0]);
            registry.add("faceoff.security.keys[" + i + "].role", () -> k[1]);
            registry.add("faceoff.security.keys[" + i + "].sha256", () -> ApiKeys.sha256(k[2]));
            if (k[3] != null) {
                registry.add("faceoff.security.keys[" + i + "].tenant", () -> k[3]);
            }
        }
    }

    @Test
    void aKeysTenantIsItsNameUnlessItNamesOne() throws Exception {
        mvc.perform(get("/v1/caller").header("Authorization", "Bearer " + CLIENT)).andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value("web-app")).andExpect(jsonPath("$.tenant").value("web-app"));
        mvc.perform(get("/v1/caller").header("X-API-Key", SHOP)).andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value("shop-eu")).andExpect(jsonPath("$.tenant").value("shop"));
        mvc.perform(get("/v1/caller")).andExpect(status().isUnauthorized());
    }

    @Test
    void healthShowsItsDetailsToTheAdminRoleOnly() throws Exception {
        for (String path : new String[] {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            mvc.perform(get(path)).andExpect(status().isOk()).andExpect(jsonPath("$.status").value("UP"))
                    .andExpect(jsonPath("$.components").doesNotExist());
        }
        mvc.perform(get("/actuator/health").header("X-API-Key", CLIENT)).andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP")).andExpect(jsonPath("$.components").doesNotExist());
        mvc.perform(get("/actuator/health").header("X-API-Key", ADMIN)).andExpect(status().isOk())
                .andExpect(jsonPath("$.components.models.details.provider").value("cpu"));
    }
}
