package dev.faceoff.verification;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.springframework.stereotype.Component;

import dev.faceoff.common.Deadline;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.common.StageTimings;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.system.Admission;

/**
 * A request's images prepared ({@link FacePipeline#prepare}) into their {@link Outcome}s, in order: a face
 * ({@link Outcome.Found}) or an error ({@link Outcome.Failed}), returned, never thrown. One after the other,
 * stopping after an error that fails the request ({@link ErrorOrder#failsRequest}); or, with
 * {@code faceoff.limits.parallel-images} and a worker idle ({@link Admission#onSpareWorker}), the second of two
 * images on that spare worker while the caller's thread prepares the first, both to the end.
 */
@Component
final class ImagePreparation {

    private final FacePipeline pipeline;
    private final Admission admission;

    ImagePreparation(FacePipeline pipeline, Admission admission) {
        this.pipeline = pipeline;
        this.admission = admission;
    }

    /** The memory the images' pixels take while prepared, from their headers ({@code FacePipeline.workingBytes}). */
    long workingBytes(List<Image> images) {
        return images.stream().mapToLong(image -> pipeline.workingBytes(image.bytes())).sum();
    }

    /** Each image's outcome, in order; the deadline is checked before each image. */
    List<Outcome> prepare(List<Image> images, FaceSelection selection, Deadline deadline, StageTimings timings) {
        var second = new StageTimings();
        Optional<Future<Outcome>> helper = images.size() == 2
                ? admission.onSpareWorker(() -> prepare(images.get(1), selection, deadline, second)) : Optional.empty();
        if (helper.isEmpty()) {
            return inTurn(images, selection, deadline, timings);
        }
        Outcome first;
        try {
            first = prepare(images.get(0), selection, deadline, timings);
        } catch (RuntimeException e) {
            awaitQuietly(helper.get());   // its pixels stay reserved until it is done
            throw e;
        }
        Outcome other = await(helper.get());
        timings.addAll(second);
        return List.of(first, other);
    }

    private List<Outcome> inTurn(List<Image> images, FaceSelection selection, Deadline deadline, StageTimings timings) {
        var outcomes = new ArrayList<Outcome>(images.size());
        for (Image image : images) {
            Outcome outcome = prepare(image, selection, deadline, timings);
            outcomes.add(outcome);
            if (outcome instanceof Outcome.Failed failed && ErrorOrder.failsRequest(image, failed.error())) {
                break;   // the request's answer whatever comes after: the rest is not prepared
            }
        }
        return outcomes;
    }

    private Outcome prepare(Image image, FaceSelection selection, Deadline deadline, StageTimings timings) {
        try {
            deadline.check("decoding " + image.name());
            return new Outcome.Found(pipeline.prepare(image.bytes(), selection, image.name(), timings));
        } catch (FaceoffException e) {
            return new Outcome.Failed(e);
        }
    }

    /** The helper's outcome; what it threw other than an image's error, as thrown. */
    private static Outcome await(Future<Outcome> task) {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failed(new FaceoffException(ErrorCode.DEADLINE_EXCEEDED,
                    "interrupted while preparing the images"));
        }
    }

    private static void awaitQuietly(Future<Outcome> task) {
        try {
            await(task);
        } catch (RuntimeException ignored) {
            // the caller's own exception is the answer
        }
    }
}
