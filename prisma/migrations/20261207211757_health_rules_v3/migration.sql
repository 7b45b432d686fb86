-- Health rules v3: reviews (kept per workstream), date precision, watch terms, change notes on events.
-- CreateEnum
CREATE TYPE "DatePrecision" AS ENUM ('day', 'month', 'quarter', 'year');

-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "evidenceUrl" TEXT,
ADD COLUMN     "note" TEXT;

-- AlterTable
ALTER TABLE "Milestone" ADD COLUMN     "actualStartPrecision" "DatePrecision" NOT NULL DEFAULT 'day',
ADD COLUMN     "completedOnPrecision" "DatePrecision" NOT NULL DEFAULT 'day',
ADD COLUMN     "datePrecision" "DatePrecision" NOT NULL DEFAULT 'day';

-- AlterTable
-- Runs recorded before this migration applied the earlier rules (2); new runs record 3. The first
-- run after a rules change writes its health changes as quiet events.
ALTER TABLE "StatusCheckRun" ADD COLUMN     "rulesVersion" INTEGER NOT NULL DEFAULT 2;
ALTER TABLE "StatusCheckRun" ALTER COLUMN "rulesVersion" SET DEFAULT 3;

-- AlterTable
ALTER TABLE "Workstream" ADD COLUMN     "healthKey" TEXT,
ADD COLUMN     "lastReviewNote" TEXT,
ADD COLUMN     "lastReviewedAt" TIMESTAMP(3),
ADD COLUMN     "lastReviewedBy" TEXT,
ADD COLUMN     "watchTerms" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "Review" (
    "id" UUID NOT NULL,
    "workstreamId" UUID NOT NULL,
    "reviewedAt" TIMESTAMP(3) NOT NULL,
    "reviewer" TEXT NOT NULL,
    "apiKeyId" UUID,
    "kind" TEXT NOT NULL DEFAULT 'review',
    "note" TEXT NOT NULL,
    "evidence" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Review_workstreamId_reviewedAt_idx" ON "Review"("workstreamId", "reviewedAt");

-- CreateIndex
CREATE INDEX "Workstream_lastReviewedAt_id_idx" ON "Workstream"("lastReviewedAt", "id");

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_workstreamId_fkey" FOREIGN KEY ("workstreamId") REFERENCES "Workstream"("id") ON DELETE CASCADE ON UPDATE CASCADE;
