import { EVENT_TYPE_NAMES, EventTypeName } from '@pledgewatch/events';
import { parse, safeString, singleLine, UnprocessableError, ValidationError } from '@pledgewatch/problems';
import { requiredTopics, TOPIC_FIELDS, TopicRefs } from '@pledgewatch/subscriptions';
import { z } from 'zod';

/** `POST /v1/admin/webhooks`: where to POST, which topics (as a subscription's), which event types. */
export const CREATE_WEBHOOK_BODY = z.strictObject({
  url: singleLine(2000),
  topics: z.strictObject(TOPIC_FIELDS),
  eventTypes: z.array(z.enum(EVENT_TYPE_NAMES)).max(EVENT_TYPE_NAMES.length).optional(),
  description: safeString().trim().max(500).optional(),
});

/** `PATCH /v1/admin/webhooks/{id}`: enable or disable (with a reason shown in the list), or describe. */
export const UPDATE_WEBHOOK_BODY = z.strictObject({
  enabled: z.boolean().optional(),
  reason: singleLine(500).optional(),
  description: safeString().trim().max(500).optional(),
});

export interface CreateWebhookCommand {
  url: string;
  topics: TopicRefs;
  /** Empty: every event type. */
  eventTypes: EventTypeName[];
  description: string;
}

export interface UpdateWebhookCommand {
  enabled?: boolean;
  reason?: string;
  description?: string;
}

export function parseCreateWebhook(body: unknown): CreateWebhookCommand {
  const input = parse(CREATE_WEBHOOK_BODY, body);
  const topics = requiredTopics(input.topics);
  return { url: input.url, topics, eventTypes: [...new Set(input.eventTypes ?? [])], description: input.description ?? '' };
}

export function parseUpdateWebhook(body: unknown): UpdateWebhookCommand {
  const input = parse(UPDATE_WEBHOOK_BODY, body ?? {});
  if (input.enabled === undefined && input.description === undefined) {
    throw new ValidationError([{ field: '', code: 'empty_update', message: 'Give "enabled" or "description".' }]);
  }
  if (input.reason !== undefined && input.enabled !== false) {
    throw new UnprocessableError('reason_without_disable', 'A reason goes with "enabled": false.', [
      { field: 'reason', code: 'reason_without_disable', message: 'Only a disable carries a reason.' },
    ]);
  }
  return input;
}
