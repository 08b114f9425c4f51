package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.faceoff.SharedData;
import dev.faceoff.common.NativeLedger;

/**
 * Over 1,000 requests of every kind ({@link HostileInputs}: valid pairs, damaged and odd images, many faces,
 * malformed requests) every OpenCV Mat made is released and every ONNX Runtime tensor and result closed:
 * the counts made and freed rise by the same amount, and by more than zero.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NativeLedgerEndToEndTest {

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("faceoff.models.dir", () -> SharedData.models().toString());
        registry.add("faceoff.runtime.provider", () -> "cpu");
    }

    @Test
    void everyMatAndTensorOfAThousandRequestsIsFreed() throws Exception {
        var photos = TestImages.samePerson();
        var inputs = new HostileInputs(7, photos.a(), photos.b());
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var statuses = new TreeMap<Integer, Integer>();
        NativeLedger.Counts before = NativeLedger.counts();
        for (int i = 0; i < 1000; i++) {
            var c = inputs.next();
            var builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + c.path()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
            if (!c.contentType().isEmpty()) {
                builder.header("Content-Type", c.contentType());
            }
            int status = client.send(builder.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            statuses.merge(status, 1, Integer::sum);
        }
        NativeLedger.Counts after = NativeLedger.counts();
        long mats = after.matsOpened() - before.matsOpened();
        long tensors = after.tensorsOpened() - before.tensorsOpened();
        System.out.printf("native ledger: 1000 requests %s: %d Mats made, %d released; %d tensors and results made, %d closed%n",
                statuses, mats, after.matsReleased() - before.matsReleased(), tensors,
                after.tensorsClosed() - before.tensorsClosed());
        assertThat(statuses).containsKey(200);
        assertThat(mats).isGreaterThan(1000);
        assertThat(tensors).isGreaterThan(1000);
        assertThat(after.matsReleased() - before.matsReleased()).as("Mats released").isEqualTo(mats);
        assertThat(after.tensorsClosed() - before.tensorsClosed()).as("tensors and results closed").isEqualTo(tensors);
    }
}
