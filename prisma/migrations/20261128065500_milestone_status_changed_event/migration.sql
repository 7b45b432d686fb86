-- AlterEnum
ALTER TYPE "EventType" ADD VALUE 'milestone.status_changed';
