-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "sendJobId" TEXT;
