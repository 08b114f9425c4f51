/** Ground truth for verifications: POST /v1/feedback and the memory or Redis store of decisions and confusion counts. */
package dev.faceoff.feedback;
