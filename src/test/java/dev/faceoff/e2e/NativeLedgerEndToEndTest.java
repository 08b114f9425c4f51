package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.faceoff.testing.EndToEnd;
import dev.faceoff.common.NativeLedger;

/**
 * Over 1,000 requests of every kind ({@link HostileInputs}: valid pairs, damaged and odd images, many faces,
 * malformed requests) every OpenCV Mat made is released and every ONNX Runtime tensor and result closed:
 * the counts made and freed rise by the same amount, and by more than zero.
 */
@EndToEnd
class NativeLedgerEndToEndTest {

    @LocalServerPort
    int port;

    @Test
    void everyMatAndTensorOfAThousandRequestsIsFreed() throws Exception {
        var photos = TestImages.samePerson();
        var inputs = new HostileInputs(7, photos.a(), photos.b());
        var http = new Http(port);
        var statuses = new TreeMap<Integer, Integer>();
        NativeLedger.Counts before = NativeLedger.counts();
        for (int i = 0; i < 1000; i++) {
            var c = inputs.next();
            int status = http.post(c.path(), c.contentType(), c.body()).status();
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
