package dev.faceoff.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationContext;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Keys off, the admin key set: every request is of tenant {@code default}, health shows its details to the
 * {@code X-Admin-Key} only, and there is no user store (no generated password at start-up).
 */
@SpringBootTest(classes = SecurityTestApplication.class, properties = "faceoff.security.admin-key=" + AdminKeyWebTest.KEY)
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
class AdminKeyWebTest {

    static final String KEY = "admin-key-of-the-web-test";

    @Autowired
    MockMvc mvc;

    @Test
    void everyRequestIsOfTheDefaultTenant() throws Exception {
        mvc.perform(get("/v1/caller")).andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value("anonymous")).andExpect(jsonPath("$.tenant").value("default"));
        mvc.perform(get("/v1/caller").header(AdminKeyFilter.HEADER, KEY)).andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value(AdminKeyFilter.NAME)).andExpect(jsonPath("$.tenant").value("default"));
    }

    @Test
    void healthShowsItsDetailsToTheAdminKeyOnly() throws Exception {
        mvc.perform(get("/actuator/health")).andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP")).andExpect(jsonPath("$.components").doesNotExist());
        mvc.perform(get("/actuator/health").header(AdminKeyFilter.HEADER, "wrong")).andExpect(status().isOk())
                .andExpect(jsonPath("$.components").doesNotExist());
        mvc.perform(get("/actuator/health").header(AdminKeyFilter.HEADER, KEY)).andExpect(status().isOk())
                .andExpect(jsonPath("$.components.models.details.provider").value("cpu"));
    }

    @Test
    void thereIsNoUserStore(ApplicationContext context, CapturedOutput output) {
        assertThat(context.getBeanNamesForType(UserDetailsService.class)).isEmpty();
        // the context started inside this class's output capture (no other test class shares its configuration)
        assertThat(output.getAll()).contains("Started AdminKeyWebTest").doesNotContain("generated security password");
    }
}
