/** HTTP of verify and embed, the decision at a calibrated threshold, and the start-up check that every model can decide. */
package dev.faceoff.verification;
