/** Open-set identification measured through the gallery's own store and threshold: the {@code blufr} and {@code multiface} jobs. */
package dev.faceoff.identification;
