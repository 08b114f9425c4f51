package dev.faceoff.model;

/** A model that cannot be served: missing, corrupt, or not matching its manifest. Stops start-up. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
