package dev.faceoff.alignment;

/**
 * A face warped onto the 112×112 ArcFace template: BGR pixels, row-major HWC, on the Java heap (so it
 * can be handed to shadow models on other threads without native lifetimes).
 */
public record AlignedFace(byte[] bgr, int size) {

    public static final int SIZE = 112;
}
