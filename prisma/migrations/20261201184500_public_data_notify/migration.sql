-- Public data changed: every statement that writes a table the public API reads notifies channel
-- `pw_public_data` (delivered at commit, one per transaction). Each API process listens and drops
-- its cached public answers (apps/api/src/public/public-read-cache.ts). Statement-level, so a check
-- that writes 100,000 rows notifies once. Prisma does not model triggers: they live here only.
CREATE FUNCTION pw_public_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pw_public_data', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Country" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Sector" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Summit" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "SummitSource" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Workstream" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "WorkstreamCountry" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "WorkstreamSector" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Milestone" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Event" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
CREATE TRIGGER pw_public_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "StatusCheckRun" FOR EACH STATEMENT EXECUTE FUNCTION pw_public_data_changed();
