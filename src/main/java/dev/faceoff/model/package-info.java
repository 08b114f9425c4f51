/** The model store (one folder per model, model.json validated at start-up), the ONNX Runtime environment and the one session runner. */
package dev.faceoff.model;
