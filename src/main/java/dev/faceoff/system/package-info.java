/** Cross-cutting web infrastructure: problem+json errors, request metrics, meters, health, payload limits, API docs. */
package dev.faceoff.system;
