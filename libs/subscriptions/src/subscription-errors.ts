import { DomainError } from '@pledgewatch/problems';

/** A link from an email that cannot be honoured. Used and expired links are gone for good (410). */
export class LinkTokenError extends DomainError {
  static invalid(): LinkTokenError {
    return new LinkTokenError('token_invalid', 400, 'This link is not valid: it is incomplete, was replaced by a newer email, or is not ours.');
  }

  static used(): LinkTokenError {
    return new LinkTokenError('token_used', 410, 'This link has already been used.');
  }

  static expired(): LinkTokenError {
    return new LinkTokenError('token_expired', 410, 'This link has expired.');
  }
}

export class SubscriberGoneError extends DomainError {
  constructor() {
    super('subscriber_not_found', 404, 'This address is no longer on our lists.');
  }
}
