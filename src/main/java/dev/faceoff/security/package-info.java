/** API keys (Spring Security) and per-key rate limits (resilience4j): who may call, and how often. */
package dev.faceoff.security;
