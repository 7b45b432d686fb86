-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "fanoutPending" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Event_fanoutPending_dispatchedAt_idx" ON "Event"("fanoutPending", "dispatchedAt");
