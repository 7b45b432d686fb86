-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "CountryGroup" AS ENUM ('asean', 'observer', 'partner');

-- CreateEnum
CREATE TYPE "Instrument" AS ENUM ('partnership', 'agreement', 'oda', 'osa', 'dialogue', 'initiative', 'other');

-- CreateEnum
CREATE TYPE "Stage" AS ENUM ('pipeline', 'implementation', 'finalisation', 'closed', 'cancelled', 'suspended');

-- CreateEnum
CREATE TYPE "MilestoneStatus" AS ENUM ('not_started', 'in_progress', 'completed', 'deferred', 'cancelled', 'overdue');

-- CreateEnum
CREATE TYPE "Health" AS ENUM ('inactive', 'complete', 'unknown', 'off_track', 'at_risk', 'stalled', 'on_track');

-- CreateEnum
CREATE TYPE "DateBasis" AS ENUM ('sourced', 'planned', 'assumed');

-- CreateEnum
CREATE TYPE "EventType" AS ENUM ('workstream.created', 'workstream.health_changed', 'workstream.stage_changed', 'milestone.completed', 'milestone.overdue', 'milestone.rescheduled', 'milestone.added');

-- CreateEnum
CREATE TYPE "SubscriberState" AS ENUM ('pending', 'active', 'unsubscribed');

-- CreateEnum
CREATE TYPE "Weekday" AS ENUM ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday');

-- CreateEnum
CREATE TYPE "DeliveryKind" AS ENUM ('confirmation', 'alert', 'digest');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('queued', 'sent', 'failed', 'suppressed');

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('admin', 'editor');

-- CreateTable
CREATE TABLE "Country" (
    "code" VARCHAR(2) NOT NULL,
    "name" TEXT NOT NULL,
    "group" "CountryGroup" NOT NULL,

    CONSTRAINT "Country_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "Sector" (
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Sector_pkey" PRIMARY KEY ("slug")
);

-- CreateTable
CREATE TABLE "Summit" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "startDate" DATE NOT NULL,
    "endDate" DATE NOT NULL,
    "location" TEXT NOT NULL,

    CONSTRAINT "Summit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SummitSource" (
    "id" UUID NOT NULL,
    "summitId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "publisher" TEXT NOT NULL,
    "date" DATE,
    "position" INTEGER NOT NULL,

    CONSTRAINT "SummitSource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Workstream" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "summitId" UUID NOT NULL,
    "instrument" "Instrument" NOT NULL,
    "stage" "Stage" NOT NULL,
    "health" "Health" NOT NULL DEFAULT 'unknown',
    "healthReason" TEXT NOT NULL DEFAULT 'not yet checked',
    "healthSince" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastProgressAt" TIMESTAMP(3),
    "lastCheckedAt" TIMESTAMP(3),
    "source" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,
    "archivedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Workstream_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkstreamCountry" (
    "workstreamId" UUID NOT NULL,
    "countryCode" VARCHAR(2) NOT NULL,

    CONSTRAINT "WorkstreamCountry_pkey" PRIMARY KEY ("workstreamId","countryCode")
);

-- CreateTable
CREATE TABLE "WorkstreamSector" (
    "workstreamId" UUID NOT NULL,
    "sectorSlug" TEXT NOT NULL,

    CONSTRAINT "WorkstreamSector_pkey" PRIMARY KEY ("workstreamId","sectorSlug")
);

-- CreateTable
CREATE TABLE "Milestone" (
    "id" UUID NOT NULL,
    "workstreamId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "plannedStart" DATE,
    "dueDate" DATE NOT NULL,
    "actualStart" DATE,
    "completedOn" DATE,
    "status" "MilestoneStatus" NOT NULL DEFAULT 'not_started',
    "dateBasis" "DateBasis" NOT NULL DEFAULT 'assumed',
    "evidenceUrl" TEXT,
    "note" TEXT,
    "position" INTEGER NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Milestone_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "id" UUID NOT NULL,
    "type" "EventType" NOT NULL,
    "workstreamId" UUID NOT NULL,
    "milestoneId" UUID,
    "from" TEXT,
    "to" TEXT,
    "reason" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notify" BOOLEAN NOT NULL DEFAULT true,
    "dispatchedAt" TIMESTAMP(3),

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subscriber" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "state" "SubscriberState" NOT NULL DEFAULT 'pending',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "digestDay" "Weekday" NOT NULL DEFAULT 'monday',
    "digestHour" INTEGER NOT NULL DEFAULT 8,
    "alerts" BOOLEAN NOT NULL DEFAULT true,
    "digest" BOOLEAN NOT NULL DEFAULT true,
    "skipEmptyDigest" BOOLEAN NOT NULL DEFAULT false,
    "confirmedAt" TIMESTAMP(3),
    "unsubscribedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Subscriber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subscription" (
    "id" UUID NOT NULL,
    "subscriberId" UUID NOT NULL,
    "countryCode" VARCHAR(2),
    "sectorSlug" TEXT,
    "workstreamId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SubscriberToken" (
    "id" UUID NOT NULL,
    "subscriberId" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "payload" JSONB,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SubscriberToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" UUID NOT NULL,
    "kind" "DeliveryKind" NOT NULL,
    "subscriberId" UUID NOT NULL,
    "eventId" UUID,
    "digestWeek" DATE,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "messageId" TEXT,
    "payload" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "keyHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" UUID NOT NULL,
    "actor" TEXT NOT NULL,
    "apiKeyId" UUID,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Summit_slug_key" ON "Summit"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "SummitSource_summitId_position_key" ON "SummitSource"("summitId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "Workstream_slug_key" ON "Workstream"("slug");

-- CreateIndex
CREATE INDEX "Workstream_health_idx" ON "Workstream"("health");

-- CreateIndex
CREATE INDEX "Workstream_stage_idx" ON "Workstream"("stage");

-- CreateIndex
CREATE INDEX "Workstream_summitId_idx" ON "Workstream"("summitId");

-- CreateIndex
CREATE INDEX "Workstream_createdAt_id_idx" ON "Workstream"("createdAt", "id");

-- CreateIndex
CREATE INDEX "WorkstreamCountry_countryCode_idx" ON "WorkstreamCountry"("countryCode");

-- CreateIndex
CREATE INDEX "WorkstreamSector_sectorSlug_idx" ON "WorkstreamSector"("sectorSlug");

-- CreateIndex
CREATE INDEX "Milestone_workstreamId_position_idx" ON "Milestone"("workstreamId", "position");

-- CreateIndex
CREATE INDEX "Milestone_status_dueDate_idx" ON "Milestone"("status", "dueDate");

-- CreateIndex
CREATE INDEX "Event_occurredAt_id_idx" ON "Event"("occurredAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Event_workstreamId_occurredAt_idx" ON "Event"("workstreamId", "occurredAt");

-- CreateIndex
CREATE INDEX "Event_dispatchedAt_occurredAt_idx" ON "Event"("dispatchedAt", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "Subscriber_email_key" ON "Subscriber"("email");

-- CreateIndex
CREATE INDEX "Subscriber_state_id_idx" ON "Subscriber"("state", "id");

-- CreateIndex
CREATE INDEX "Subscription_subscriberId_idx" ON "Subscription"("subscriberId");

-- CreateIndex
CREATE INDEX "Subscription_countryCode_sectorSlug_idx" ON "Subscription"("countryCode", "sectorSlug");

-- CreateIndex
CREATE INDEX "Subscription_sectorSlug_idx" ON "Subscription"("sectorSlug");

-- CreateIndex
CREATE INDEX "Subscription_workstreamId_idx" ON "Subscription"("workstreamId");

-- CreateIndex
CREATE UNIQUE INDEX "SubscriberToken_tokenHash_key" ON "SubscriberToken"("tokenHash");

-- CreateIndex
CREATE INDEX "SubscriberToken_subscriberId_purpose_idx" ON "SubscriberToken"("subscriberId", "purpose");

-- CreateIndex
CREATE INDEX "Delivery_status_updatedAt_idx" ON "Delivery"("status", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_subscriberId_eventId_key" ON "Delivery"("subscriberId", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_subscriberId_kind_digestWeek_key" ON "Delivery"("subscriberId", "kind", "digestWeek");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- CreateIndex
CREATE INDEX "AuditEntry_entityType_entityId_at_idx" ON "AuditEntry"("entityType", "entityId", "at");

-- AddForeignKey
ALTER TABLE "SummitSource" ADD CONSTRAINT "SummitSource_summitId_fkey" FOREIGN KEY ("summitId") REFERENCES "Summit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Workstream" ADD CONSTRAINT "Workstream_summitId_fkey" FOREIGN KEY ("summitId") REFERENCES "Summit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkstreamCountry" ADD CONSTRAINT "WorkstreamCountry_workstreamId_fkey" FOREIGN KEY ("workstreamId") REFERENCES "Workstream"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkstreamCountry" ADD CONSTRAINT "WorkstreamCountry_countryCode_fkey" FOREIGN KEY ("countryCode") REFERENCES "Country"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkstreamSector" ADD CONSTRAINT "WorkstreamSector_workstreamId_fkey" FOREIGN KEY ("workstreamId") REFERENCES "Workstream"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkstreamSector" ADD CONSTRAINT "WorkstreamSector_sectorSlug_fkey" FOREIGN KEY ("sectorSlug") REFERENCES "Sector"("slug") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Milestone" ADD CONSTRAINT "Milestone_workstreamId_fkey" FOREIGN KEY ("workstreamId") REFERENCES "Workstream"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_workstreamId_fkey" FOREIGN KEY ("workstreamId") REFERENCES "Workstream"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_milestoneId_fkey" FOREIGN KEY ("milestoneId") REFERENCES "Milestone"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_countryCode_fkey" FOREIGN KEY ("countryCode") REFERENCES "Country"("code") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_sectorSlug_fkey" FOREIGN KEY ("sectorSlug") REFERENCES "Sector"("slug") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_workstreamId_fkey" FOREIGN KEY ("workstreamId") REFERENCES "Workstream"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubscriberToken" ADD CONSTRAINT "SubscriberToken_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
