import { Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '@pledgewatch/config';
import { PrismaService } from '@pledgewatch/database';
import { smtpOptionsFromUrl } from '@pledgewatch/mail';
import { JobQueues, queueBackendHealth } from '@pledgewatch/queue';
import nodemailer from 'nodemailer';

const CHECK_TIMEOUT_MS = 2_000;

function within<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What readiness depends on: PostgreSQL, the queue backend and (worker) the SMTP server. */
export type ReadinessPart = 'postgres' | 'queue' | 'smtp';

export interface Readiness {
  ready: boolean;
  /** The indicators that are down, by name (`postgres`, `redis` or `postgres-queues` — the queue backend's — `smtp`): the 503 names them. */
  down: string[];
  /** Terminus's report: { status, info, error, details }. */
  report: unknown;
}

/**
 * Terminus health indicators and the readiness verdict, shared by the API (over HTTP) and the
 * worker (over its metrics port).
 */
@Injectable()
export class ReadinessChecks {
  /** Set at SIGTERM, so load balancers stop sending before the server closes. */
  private shuttingDown = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    private readonly queues: JobQueues,
    private readonly config: AppConfig,
  ) {}

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async postgres(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('postgres');
    try {
      await within(this.prisma.$queryRaw`SELECT 1`);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: message(error) });
    }
  }

  async queue(): Promise<HealthIndicatorResult> {
    const health = await queueBackendHealth(this.queues, CHECK_TIMEOUT_MS);
    const indicator = this.indicators.check(health.indicator);
    return health.up ? indicator.up() : indicator.down({ message: health.error ?? 'down' });
  }

  /** A connection and EHLO (plus AUTH when the URL has credentials), then QUIT. */
  async smtp(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('smtp');
    const { pool: _pool, ...options } = smtpOptionsFromUrl(this.config.smtpUrl);
    const transporter = nodemailer.createTransport({ ...options, connectionTimeout: CHECK_TIMEOUT_MS, greetingTimeout: CHECK_TIMEOUT_MS });
    try {
      await within(transporter.verify());
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: message(error) });
    } finally {
      transporter.close();
    }
  }

  async ready(parts: ReadinessPart[]): Promise<Readiness> {
    const checks = { postgres: () => this.postgres(), queue: () => this.queue(), smtp: () => this.smtp() };
    try {
      const report = await this.health.check(parts.map((part) => checks[part]));
      if (this.shuttingDown) return { ready: false, down: [], report: { ...report, status: 'shutting_down' } };
      return { ready: true, down: [], report };
    } catch (error) {
      // Terminus throws a ServiceUnavailableException whose body is the report.
      const report = (error as { getResponse?: () => unknown }).getResponse?.() ?? { status: 'error', error: { unknown: { message: message(error) } } };
      return { ready: false, down: Object.keys((report as { error?: Record<string, unknown> }).error ?? {}), report };
    }
  }
}
