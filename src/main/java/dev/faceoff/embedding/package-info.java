/** Aligned faces to unit-length embeddings with an embedding model (optional test-time flip); vector maths. */
package dev.faceoff.embedding;
