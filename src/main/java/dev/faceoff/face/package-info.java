/** The face pipeline shared by serving and the jobs: bytes to decoded image to detected, chosen and aligned face. */
package dev.faceoff.face;
