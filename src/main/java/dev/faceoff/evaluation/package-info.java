/** Command-line jobs on the service's own pipeline: evaluate (accuracy, ROC, calibration) and align (training crops). */
package dev.faceoff.evaluation;
