import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';

/**
 * helmet's headers on every response, JSON and problem+json included (`X-Content-Type-Options:
 * nosniff`, HSTS, Referrer-Policy, COOP/CORP, …), with a Content-Security-Policy that forbids
 * framing (`frame-ancestors 'none'`, plus `X-Frame-Options: DENY` for old browsers).
 *
 * A route that renders HTML may set a stricter CSP of its own (the email-link pages, the digest
 * preview); it must keep `frame-ancestors 'none'`, which the hostile-input spec checks on every
 * HTML answer. A per-request nonce for public pages belongs here too, as a directive function.
 */
export function applySecurityHeaders(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'frame-ancestors': ["'none'"],
          // TLS is the proxy's business (and HSTS's); upgrading would break plain-HTTP test hosts.
          'upgrade-insecure-requests': null,
        },
      },
      frameguard: { action: 'deny' },
    }),
  );
}
