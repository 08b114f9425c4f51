-- What identification searches (docs/gallery.md, "Several faces per subject"): one template per subject and model,
-- the normalised mean of the subject's templates of that model, and how many faces it was made from. Written by
-- the store in the transaction of every write of the subject's templates; a gallery written before this table is
-- filled by the store when it opens (the mean is computed in Java, as for every write). Each model's partial HNSW
-- index is on this table now (PostgresGalleryStore makes them); the templates' own are dropped.
CREATE TABLE gallery_mean (
    tenant     VARCHAR(64) COLLATE "C" NOT NULL,
    subject_id VARCHAR(64) COLLATE "C" NOT NULL,
    model      VARCHAR(128) NOT NULL REFERENCES gallery_model (model),
    faces      INT          NOT NULL,
    embedding  vector       NOT NULL,
    PRIMARY KEY (tenant, model, subject_id),
    FOREIGN KEY (tenant, subject_id) REFERENCES gallery_subject (tenant, subject_id)
);
CREATE INDEX gallery_mean_subject ON gallery_mean (tenant, subject_id);

DO $$
DECLARE
    old record;
BEGIN
    FOR old IN SELECT indexname FROM pg_indexes WHERE tablename = 'gallery_template' AND indexname LIKE 'gallery\_hnsw\_%' LOOP
        EXECUTE 'DROP INDEX ' || quote_ident(old.indexname);
    END LOOP;
END
$$;
