-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "throttledCount" INTEGER NOT NULL DEFAULT 0;
