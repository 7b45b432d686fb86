-- Full-text search over workstreams (GET /v1/workstreams?q=, /workstreams?q=; docs/pages.md).
-- "WorkstreamSearch" holds one document per workstream, kept by the triggers below, so every writer
-- (the editors, the import, the seed, raw SQL) keeps it right without knowing it exists. A table of
-- its own rather than a column: the status check's health updates of "Workstream" rows would
-- otherwise write the GIN index too (every non-HOT update inserts into every index), and a search
-- reads these narrow rows rather than whole workstreams. Prisma does not model triggers: they live
-- here only.

-- Lengths written with a unit ("97-m", "97 m", "97-metre", "97 metres") all read as "97 m", in the
-- documents and in the queries alike (the query side calls the same function), so a search for
-- "97-metre" finds a source that says "97-m".
CREATE FUNCTION pw_search_units(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(body, '(\d)\s*-?\s*(metres|metre|meters|meter|m)\M', '\1 m', 'gi')
$$;

-- The weighted document of one workstream: title (A), summary (B), the source's quote (C), then
-- the words of its slug and the names of its countries and sectors (D).
CREATE FUNCTION pw_workstream_search_document(ws_id uuid, title text, summary text, source jsonb, slug text)
RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('english', pw_search_units(coalesce(title, ''))), 'A')
      || setweight(to_tsvector('english', pw_search_units(coalesce(summary, ''))), 'B')
      || setweight(to_tsvector('english', pw_search_units(coalesce(source ->> 'quote', ''))), 'C')
      || setweight(to_tsvector('english', concat_ws(' ',
           replace(slug, '-', ' '),
           (SELECT string_agg(c.name, ' ') FROM "WorkstreamCountry" wc JOIN "Country" c ON c.code = wc."countryCode" WHERE wc."workstreamId" = ws_id),
           (SELECT string_agg(s.name, ' ') FROM "WorkstreamSector" x JOIN "Sector" s ON s.slug = x."sectorSlug" WHERE x."workstreamId" = ws_id)
         )), 'D')
$$;

-- CreateTable
CREATE TABLE "WorkstreamSearch" (
    "workstreamId" UUID NOT NULL,
    "document" tsvector NOT NULL,

    CONSTRAINT "WorkstreamSearch_pkey" PRIMARY KEY ("workstreamId")
);

-- AddForeignKey
ALTER TABLE "WorkstreamSearch" ADD CONSTRAINT "WorkstreamSearch_workstreamId_fkey" FOREIGN KEY ("workstreamId") REFERENCES "Workstream"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- (Re)computes the documents of the given workstreams.
CREATE FUNCTION pw_workstream_search_refresh(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "WorkstreamSearch" ("workstreamId", document)
  SELECT w.id, pw_workstream_search_document(w.id, w.title, w.summary, w.source::jsonb, w.slug)
    FROM "Workstream" w WHERE w.id = ANY (ids)
  ON CONFLICT ("workstreamId") DO UPDATE SET document = EXCLUDED.document
$$;

-- New workstreams, once per statement (a bulk import writes its documents in one go); a
-- workstream's own words changed, row by row (only when they change: the status check's
-- updates of health never fire it).
CREATE FUNCTION pw_workstream_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pw_workstream_search_refresh(ARRAY(SELECT id FROM added_rows));
  RETURN NULL;
END;
$$;

CREATE FUNCTION pw_workstream_search_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pw_workstream_search_refresh(ARRAY[NEW.id]);
  RETURN NULL;
END;
$$;

CREATE TRIGGER pw_workstream_search_insert AFTER INSERT ON "Workstream"
  REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION pw_workstream_search_inserted();
CREATE TRIGGER pw_workstream_search_update AFTER UPDATE OF title, summary, source, slug ON "Workstream"
  FOR EACH ROW
  WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.summary IS DISTINCT FROM NEW.summary
        OR OLD.source::text IS DISTINCT FROM NEW.source::text OR OLD.slug IS DISTINCT FROM NEW.slug)
  EXECUTE FUNCTION pw_workstream_search_updated();

-- Its countries and sectors are rows of their own, written after the workstream: once per
-- statement, for the workstreams the statement touched.
CREATE FUNCTION pw_workstream_search_topics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM pw_workstream_search_refresh(ARRAY(SELECT DISTINCT "workstreamId" FROM changed_rows));
  ELSE
    PERFORM pw_workstream_search_refresh(ARRAY(SELECT DISTINCT "workstreamId" FROM gone_rows));
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER pw_workstream_search_country_insert AFTER INSERT ON "WorkstreamCountry"
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION pw_workstream_search_topics();
CREATE TRIGGER pw_workstream_search_country_delete AFTER DELETE ON "WorkstreamCountry"
  REFERENCING OLD TABLE AS gone_rows FOR EACH STATEMENT EXECUTE FUNCTION pw_workstream_search_topics();
CREATE TRIGGER pw_workstream_search_sector_insert AFTER INSERT ON "WorkstreamSector"
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION pw_workstream_search_topics();
CREATE TRIGGER pw_workstream_search_sector_delete AFTER DELETE ON "WorkstreamSector"
  REFERENCING OLD TABLE AS gone_rows FOR EACH STATEMENT EXECUTE FUNCTION pw_workstream_search_topics();

-- A country or sector renamed: the workstreams that name it.
CREATE FUNCTION pw_workstream_search_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'Country' THEN
    PERFORM pw_workstream_search_refresh(ARRAY(SELECT "workstreamId" FROM "WorkstreamCountry" WHERE "countryCode" = NEW.code));
  ELSE
    PERFORM pw_workstream_search_refresh(ARRAY(SELECT "workstreamId" FROM "WorkstreamSector" WHERE "sectorSlug" = NEW.slug));
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER pw_workstream_search_country_name AFTER UPDATE OF name ON "Country"
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION pw_workstream_search_names();
CREATE TRIGGER pw_workstream_search_sector_name AFTER UPDATE OF name ON "Sector"
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION pw_workstream_search_names();

-- The workstreams already there.
SELECT pw_workstream_search_refresh(ARRAY(SELECT id FROM "Workstream"));

-- CreateIndex
CREATE INDEX "WorkstreamSearch_document_idx" ON "WorkstreamSearch" USING GIN ("document");
