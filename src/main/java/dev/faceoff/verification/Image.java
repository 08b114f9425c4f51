package dev.faceoff.verification;

/** One image of a request: its field name (in error details), its bytes, what its error does ({@link OnError}). */
record Image(String name, byte[] bytes, OnError onError) {

    /** What an image's error does: fail the request (verify, embed, a probe), or stay the image's own answer (a candidate). */
    enum OnError { FAIL_REQUEST, KEEP }
}
