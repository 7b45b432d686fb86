-- AlterTable
ALTER TABLE "Subscriber" ADD COLUMN     "topicsKey" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "Subscriber_timezone_digestDay_digestHour_topicsKey_id_idx" ON "Subscriber"("timezone", "digestDay", "digestHour", "topicsKey", "id");

-- A subscriber's topics as one key: md5 of their subscriptions, sorted ('' for none). Two
-- subscribers with the same key follow the same topics, so in one time zone and slot they get the
-- same digest; the digest run walks each due (timezone, weekday, hour) in (topicsKey, id) order, on
-- the index above, so that the worker renders each digest once for all of them. The key only orders the walk: what a digest contains is
-- always read from the subscriptions themselves, so a stale key could cost a render, never a wrong email.
-- Prisma does not model functions or triggers: they live here only.
CREATE FUNCTION pw_subscriber_topics_key(subscriber uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(md5(string_agg(k, ',' ORDER BY k)), '')
    FROM (SELECT coalesce(t."countryCode", '') || '/' || coalesce(t."sectorSlug", '') || '/' || coalesce(t."workstreamId"::text, '') AS k
            FROM "Subscription" t
           WHERE t."subscriberId" = subscriber) topics
$$;

-- Statement-level, over the statement's transition tables: a bulk insert of 100,000 subscriptions
-- updates each subscriber concerned once, and only where the key changed.
CREATE FUNCTION pw_subscription_topics_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "Subscriber" s SET "topicsKey" = k.key
      FROM (SELECT x.id, pw_subscriber_topics_key(x.id) AS key FROM (SELECT DISTINCT "subscriberId" AS id FROM new_rows) x) k
     WHERE s.id = k.id AND s."topicsKey" <> k.key;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "Subscriber" s SET "topicsKey" = k.key
      FROM (SELECT x.id, pw_subscriber_topics_key(x.id) AS key FROM (SELECT DISTINCT "subscriberId" AS id FROM old_rows) x) k
     WHERE s.id = k.id AND s."topicsKey" <> k.key;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER pw_subscription_topics_inserted AFTER INSERT ON "Subscription"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pw_subscription_topics_changed();
CREATE TRIGGER pw_subscription_topics_updated AFTER UPDATE ON "Subscription"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pw_subscription_topics_changed();
CREATE TRIGGER pw_subscription_topics_deleted AFTER DELETE ON "Subscription"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pw_subscription_topics_changed();

UPDATE "Subscriber" s SET "topicsKey" = pw_subscriber_topics_key(s.id)
 WHERE EXISTS (SELECT 1 FROM "Subscription" t WHERE t."subscriberId" = s.id);
