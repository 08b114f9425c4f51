/** Ground floor: the API's error codes, its exception, stage timings and digests; imports no other faceoff package. */
package dev.faceoff.common;
