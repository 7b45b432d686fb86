-- AlterTable
ALTER TABLE "Workstream" DROP COLUMN "lastCheckedAt";
