import { NotFoundError, UnprocessableError, ValidationError } from '@pledgewatch/problems';
import { OutboundUrlError } from '@pledgewatch/outbound';

/** The SSRF guard's refusal as the API answers it: a malformed URL 400, a refused destination 422. */
export function webhookUrlProblem(error: OutboundUrlError): ValidationError | UnprocessableError {
  if (error.problem === 'invalid_url') return new ValidationError([{ field: 'url', code: 'invalid_url', message: error.message }]);
  const code = error.problem === 'unresolvable' ? 'webhook_url_unresolvable' : 'webhook_url_not_allowed';
  return new UnprocessableError(code, error.message, [{ field: 'url', code, message: error.message }]);
}

export class WebhookNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Webhook endpoint', id);
  }
}

export class WebhookDeliveryNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Webhook delivery', id);
  }
}
