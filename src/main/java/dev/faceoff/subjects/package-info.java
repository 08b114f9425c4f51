/** The HTTP API of enrolled subjects: /v1/subjects (subjects, their faces, verification against one) and /v1/identify, over the gallery's store. */
package dev.faceoff.subjects;
