/** Landmarks and alignment: five points on the face, warped to the 112x112 ArcFace template. */
package dev.faceoff.alignment;
