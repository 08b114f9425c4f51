/** The evaluation jobs on the service's own pipeline: evaluate (accuracy, ROC, calibration), align (training crops), robustness; their pair lists, face caches, metrics and reports. */
package dev.faceoff.evaluation;
