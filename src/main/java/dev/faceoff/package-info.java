/** faceoff: the application entry point (serve, or run the evaluate/align jobs) and its ordered shutdown. */
package dev.faceoff;
