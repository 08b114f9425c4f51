package dev.faceoff.experiment;

import org.springframework.context.ApplicationContext;

/** For end-to-end tests: the shadow worker's work as something to wait for, not to sleep through. */
public final class ShadowWork {

    private ShadowWork() {
    }

    /** Returns once every shadow task the application has queued so far has run. */
    public static void awaitIdle(ApplicationContext context) throws InterruptedException {
        context.getBean(ShadowExecutor.class).awaitIdle();
    }
}
