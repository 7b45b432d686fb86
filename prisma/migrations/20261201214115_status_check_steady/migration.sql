-- DropIndex
DROP INDEX "Milestone_status_dueDate_idx";

-- CreateIndex
CREATE INDEX "Milestone_status_dueDate_workstreamId_id_idx" ON "Milestone"("status", "dueDate", "workstreamId", "id");

-- CreateIndex
CREATE INDEX "Workstream_archivedAt_stage_id_idx" ON "Workstream"("archivedAt", "stage", "id");
