/** Face detection: the detector model with its pure decoding and NMS, boxes, and which face to choose. */
package dev.faceoff.detection;
