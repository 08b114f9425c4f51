-- The N of every identification and duplicate check (docs/gallery.md, "Identification threshold"): subjects with
-- a template of the model, and templates, per tenant and model, kept exact by a trigger in the transaction that
-- writes or deletes templates, so that reading them is one row instead of a COUNT(DISTINCT) over the tenant's
-- templates (about a second at 1 M templates).
CREATE TABLE gallery_count (
    tenant    VARCHAR(64) COLLATE "C" NOT NULL,
    model     VARCHAR(128) NOT NULL,
    subjects  BIGINT       NOT NULL,
    templates BIGINT       NOT NULL,
    PRIMARY KEY (tenant, model)
);

INSERT INTO gallery_count (tenant, model, subjects, templates)
SELECT tenant, model, COUNT(DISTINCT subject_id), COUNT(*) FROM gallery_template GROUP BY tenant, model;

-- Statement-level triggers over the rows a statement added or removed (its transition table): a statement that
-- deletes a subject's templates removes several rows of one subject at once, counted as one subject. The count
-- rows are locked first (the upsert or update), then the subjects' other templates are looked for in a new
-- statement: a concurrent writer of the same tenant and model has committed by then, so a subject is counted
-- once. (Writers of one subject are serialised before this, by the subject's row lock.)
CREATE FUNCTION gallery_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO gallery_count AS c (tenant, model, subjects, templates)
        SELECT tenant, model, 0, COUNT(*) FROM added GROUP BY tenant, model ORDER BY tenant, model
        ON CONFLICT (tenant, model) DO UPDATE SET templates = c.templates + EXCLUDED.templates;
    UPDATE gallery_count c SET subjects = c.subjects + n.subjects
        FROM (SELECT a.tenant, a.model, COUNT(DISTINCT a.subject_id) AS subjects FROM added a
              WHERE NOT EXISTS (SELECT 1 FROM gallery_template t
                                WHERE t.tenant = a.tenant AND t.model = a.model AND t.subject_id = a.subject_id
                                  AND NOT EXISTS (SELECT 1 FROM added x WHERE x.face_id = t.face_id AND x.model = t.model))
              GROUP BY a.tenant, a.model) n
        WHERE c.tenant = n.tenant AND c.model = n.model;
    RETURN NULL;
END
$$;

CREATE FUNCTION gallery_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE gallery_count c SET templates = c.templates - g.templates
        FROM (SELECT tenant, model, COUNT(*) AS templates FROM gone GROUP BY tenant, model) g
        WHERE c.tenant = g.tenant AND c.model = g.model;
    UPDATE gallery_count c SET subjects = c.subjects - g.subjects
        FROM (SELECT o.tenant, o.model, COUNT(DISTINCT o.subject_id) AS subjects FROM gone o
              WHERE NOT EXISTS (SELECT 1 FROM gallery_template t
                                WHERE t.tenant = o.tenant AND t.model = o.model AND t.subject_id = o.subject_id)
              GROUP BY o.tenant, o.model) g
        WHERE c.tenant = g.tenant AND c.model = g.model;
    RETURN NULL;
END
$$;

CREATE TRIGGER gallery_template_added AFTER INSERT ON gallery_template REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_count_added();
CREATE TRIGGER gallery_template_removed AFTER DELETE ON gallery_template REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_count_removed();
