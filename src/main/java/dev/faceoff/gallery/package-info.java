/** Enrolled subjects: the {@link dev.faceoff.gallery.GalleryStore} seam (tenants, subjects, faces, templates, exact search), embedded (H2) or postgres (pgvector), crops sealed with AES-GCM. */
package dev.faceoff.gallery;
