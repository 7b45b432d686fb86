-- AlterTable
ALTER TABLE "Subscriber" ADD COLUMN     "linkEpoch" INTEGER NOT NULL DEFAULT 0;
