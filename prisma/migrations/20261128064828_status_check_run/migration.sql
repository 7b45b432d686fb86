-- CreateTable
CREATE TABLE "StatusCheckRun" (
    "id" UUID NOT NULL,
    "slot" TEXT,
    "asOf" TIMESTAMP(3) NOT NULL,
    "trigger" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3) NOT NULL,
    "checked" INTEGER NOT NULL,
    "milestonesOverdue" INTEGER NOT NULL,
    "healthChanged" INTEGER NOT NULL,
    "events" INTEGER NOT NULL,

    CONSTRAINT "StatusCheckRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "StatusCheckRun_slot_key" ON "StatusCheckRun"("slot");

-- CreateIndex
CREATE INDEX "StatusCheckRun_finishedAt_idx" ON "StatusCheckRun"("finishedAt");
