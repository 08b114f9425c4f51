/** A/B tests: experiments, weighted and sticky routing, shadow models, per-variant reports and their statistics. */
package dev.faceoff.experiment;
