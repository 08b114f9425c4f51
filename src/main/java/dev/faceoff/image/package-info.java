/** Image bytes to pixels: format sniffing, header limits before decoding, OpenCV decoding with EXIF orientation. */
package dev.faceoff.image;
