import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';

/** A send may go now (`granted`), or not before `retryInMs` from now. */
export type PaceDecision = { granted: true } | { granted: false; retryInMs: number };

/**
 * One shared schedule of sends for every process of a deployment, in the queues' store (Redis, or
 * a row in the queue schema on the PostgreSQL backend). It is GCRA, a token bucket kept as a single
 * "theoretical arrival time" (`tat`): a send is granted when tat ≤ now + tolerance, and then moves
 * `tat` one interval on, atomically. Grants are therefore one interval apart whatever the number
 * of workers, and no one-second window, sliding or fixed, holds more than
 * (1 s + tolerance) / interval + 1 of them. A send is granted at the moment it goes, never booked
 * ahead and slept on: a worker that wakes late cannot release several booked sends at once. The
 * store's own clock decides (Redis TIME, PostgreSQL clock_timestamp()), so workers with skewed
 * clocks still agree; waits are answered relative to it.
 *
 * Spacing grants is not enough where the limit is measured, at the receiving server: a worker
 * starved of CPU between grant and DATA (a busy machine, a GC pause) delivers several granted sends
 * at once. So each grant is also a lease, counted from the grant until one second after the sender
 * releases it (the server answered): a send is granted only while fewer than `limit` leases are
 * live. Whatever the delays, no one-second window at the server then holds more than `limit`
 * arrivals: every message that arrives in it was either still leased, or released less than a
 * second earlier, when the last of them was granted. A lease that is never released (its worker
 * died) lapses after a minute.
 *
 * A throttling answer pushes `tat` to the end of a pause for everyone. The pause doubles with each
 * throttle that comes after the previous pause ended with no successful send in between
 * (`streak`); a throttle during a pause (a message that was already in flight) does not lengthen it.
 */
export interface SendPacer {
  /** One send, now, if the schedule allows it and fewer than `limit` leases are live; `lease` names it for release(). */
  take(intervalUs: number, toleranceUs: number, limit: number, lease: string): Promise<PaceDecision>;
  /** The leased send is over (accepted or not): its lease lapses one second from now. */
  release(lease: string): Promise<void>;
  /** A throttling answer: pause everyone's sends; answers the pause's remaining ms. */
  throttled(basePauseMs: number, maxPauseMs: number): Promise<number>;
  /** A send went through after throttling: the next pause starts at the base again. */
  recovered(): Promise<void>;
  /** Milliseconds from now until the next slot (0: a send may go now). */
  nextSlotInMs(): Promise<number>;
}

/** Redis TIME in microseconds. Values are written with %d: Lua's tostring keeps 14 digits only. */
const NOW_US = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000000 + tonumber(t[2])`;

/** A lease's life when its sender never releases it, and after release. */
const LEASE_LAPSE_US = 60_000_000;
const RELEASED_US = 1_000_000;
/** How often a send polls while every lease is still in flight (none lapses sooner than a second). */
const POLL_WHILE_IN_FLIGHT_MS = 50;

const TAKE = `${NOW_US}
local interval = tonumber(ARGV[1]) local tolerance = tonumber(ARGV[2]) local limit = tonumber(ARGV[3])
local tat = math.max(tonumber(redis.call('HGET', KEYS[1], 'tat') or '0'), now)
if tat - now > tolerance then return {0, math.ceil((tat - tolerance - now) / 1000)} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%d', now))
if redis.call('ZCARD', KEYS[2]) >= limit then
  local first = tonumber(redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2])
  if first - now <= ${RELEASED_US} then return {0, math.ceil((first - now) / 1000)} end
  return {0, ${POLL_WHILE_IN_FLIGHT_MS}}
end
redis.call('HSET', KEYS[1], 'tat', string.format('%d', tat + interval))
redis.call('ZADD', KEYS[2], string.format('%d', now + ${LEASE_LAPSE_US}), ARGV[4])
redis.call('PEXPIRE', KEYS[1], 3600000)
redis.call('PEXPIRE', KEYS[2], 3600000)
return {1, 0}`;

const RELEASE = `${NOW_US}
redis.call('ZADD', KEYS[1], 'XX', string.format('%d', now + ${RELEASED_US}), ARGV[1])
return 1`;

const THROTTLED = `${NOW_US}
local base = tonumber(ARGV[1]) * 1000 local max = tonumber(ARGV[2]) * 1000
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused') or '0')
if paused > now then return math.ceil((paused - now) / 1000) end
local streak = tonumber(redis.call('HGET', KEYS[1], 'streak') or '0')
local pause = math.min(base * math.pow(2, streak), max)
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
redis.call('HSET', KEYS[1], 'paused', string.format('%d', now + pause), 'streak', streak + 1,
  'tat', string.format('%d', math.max(tat, now + pause)))
redis.call('PEXPIRE', KEYS[1], math.ceil(pause / 1000) + 3600000)
return math.ceil(pause / 1000)`;

const NEXT_SLOT = `${NOW_US}
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
return math.ceil(math.max(tat - now, 0) / 1000)`;

/** A hash (tat, pause) and a sorted set (leases) per pacer; one hash tag puts both in one Redis Cluster slot. */
export class RedisSendPacer implements SendPacer {
  private readonly leases: string;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly key: string,
  ) {
    this.leases = `${key}:leases`;
  }

  async take(intervalUs: number, toleranceUs: number, limit: number, lease: string): Promise<PaceDecision> {
    const [granted, ms] = (await this.client.eval(TAKE, 2, this.key, this.leases, Math.round(intervalUs), Math.round(toleranceUs), limit, lease)) as [number, number];
    return granted ? { granted: true } : { granted: false, retryInMs: Math.max(1, ms) };
  }

  async release(lease: string): Promise<void> {
    await this.client.eval(RELEASE, 1, this.leases, lease);
  }

  async throttled(basePauseMs: number, maxPauseMs: number): Promise<number> {
    return Number(await this.client.eval(THROTTLED, 1, this.key, basePauseMs, maxPauseMs));
  }

  async recovered(): Promise<void> {
    await this.client.hset(this.key, 'streak', 0);
  }

  async nextSlotInMs(): Promise<number> {
    return Number(await this.client.eval(NEXT_SLOT, 1, this.key));
  }
}

/**
 * The same schedule as one row of `<queue schema>.send_pace`. Each statement locks the row
 * (FOR UPDATE) before it reads the clock, so a reservation never starts before the one that held
 * the lock ahead of it.
 */
export class PostgresSendPacer implements SendPacer {
  private created: Promise<unknown> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly name: string,
  ) {}

  private get table(): string {
    return `"${this.schema}".send_pace`;
  }

  private async row(): Promise<void> {
    this.created ??= this.pool.query(`INSERT INTO ${this.table} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [this.name]).catch((error: Error) => {
      this.created = undefined;
      throw error;
    });
    await this.created;
  }

  /** One round trip: send_pace_take() (sendPaceSql) locks the row, then reads the leases with a snapshot taken after the lock. */
  async take(intervalUs: number, toleranceUs: number, limit: number, lease: string): Promise<PaceDecision> {
    await this.row();
    const { rows } = await this.pool.query<{ wait_ms: number }>(`SELECT "${this.schema}".send_pace_take($1, $2, $3, $4, $5) AS wait_ms`, [
      this.name,
      Math.round(intervalUs),
      Math.round(toleranceUs),
      limit,
      lease,
    ]);
    const waitMs = Number(rows[0].wait_ms);
    return waitMs === 0 ? { granted: true } : { granted: false, retryInMs: waitMs };
  }

  async release(lease: string): Promise<void> {
    await this.pool.query(
      `UPDATE "${this.schema}".send_pace_lease SET until_us = (extract(epoch FROM clock_timestamp()) * 1000000)::bigint + ${RELEASED_US} WHERE name = $1 AND lease = $2`,
      [this.name, lease],
    );
  }

  async throttled(basePauseMs: number, maxPauseMs: number): Promise<number> {
    await this.row();
    const { rows } = await this.pool.query<{ pause_us: string }>(
      `WITH locked AS (SELECT * FROM ${this.table} WHERE name = $1 FOR UPDATE),
            plan AS (SELECT locked.*, now_us, paused_us > now_us AS pausing,
                            least($2::bigint * 1000 * power(2, least(streak, 30))::bigint, $3::bigint * 1000) AS pause_us
                       FROM locked, LATERAL (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now_us) c),
            paused AS (UPDATE ${this.table} p
                          SET paused_us = plan.now_us + plan.pause_us, streak = plan.streak + 1,
                              tat_us = greatest(plan.tat_us, plan.now_us + plan.pause_us)
                         FROM plan WHERE p.name = plan.name AND NOT plan.pausing
                       RETURNING 1)
       SELECT CASE WHEN pausing THEN paused_us - now_us ELSE pause_us END AS pause_us FROM plan`,
      [this.name, basePauseMs, maxPauseMs],
    );
    return Math.ceil(Number(rows[0].pause_us) / 1000);
  }

  async recovered(): Promise<void> {
    await this.pool.query(`UPDATE ${this.table} SET streak = 0 WHERE name = $1 AND streak <> 0`, [this.name]);
  }

  async nextSlotInMs(): Promise<number> {
    const { rows } = await this.pool.query<{ ms: string }>(
      `SELECT greatest(tat_us - (extract(epoch FROM clock_timestamp()) * 1000000)::bigint, 0) / 1000 AS ms FROM ${this.table} WHERE name = $1`,
      [this.name],
    );
    return rows.length ? Math.ceil(Number(rows[0].ms)) : 0;
  }
}

/**
 * `<schema>.send_pace`, its leases and send_pace_take(), created by QueueBackend.prepare() with the
 * rest of the queue schema (under its advisory lock). The function answers 0 for a grant, else the
 * ms to wait; as a plpgsql function each statement takes a new snapshot, so the leases it counts
 * include those of the taker that held the row's lock just before.
 */
export const sendPaceSql = (schema: string): string[] => [
  `CREATE TABLE IF NOT EXISTS "${schema}".send_pace (name text PRIMARY KEY, tat_us bigint NOT NULL DEFAULT 0, paused_us bigint NOT NULL DEFAULT 0, streak integer NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS "${schema}".send_pace_lease (name text NOT NULL, lease text NOT NULL, until_us bigint NOT NULL, PRIMARY KEY (name, lease))`,
  `CREATE OR REPLACE FUNCTION "${schema}".send_pace_take(p_name text, p_interval bigint, p_tolerance bigint, p_limit integer, p_lease text)
   RETURNS integer LANGUAGE plpgsql AS $fn$
   DECLARE
     v_tat bigint; v_now bigint; v_live integer; v_first bigint;
   BEGIN
     SELECT tat_us INTO v_tat FROM "${schema}".send_pace WHERE name = p_name FOR UPDATE;
     v_now := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
     v_tat := greatest(v_tat, v_now);
     IF v_tat - v_now > p_tolerance THEN
       RETURN greatest(1, ceil((v_tat - p_tolerance - v_now) / 1000.0))::integer;
     END IF;
     DELETE FROM "${schema}".send_pace_lease WHERE name = p_name AND until_us <= v_now;
     SELECT count(*), min(until_us) INTO v_live, v_first FROM "${schema}".send_pace_lease WHERE name = p_name;
     IF v_live >= p_limit THEN
       IF v_first - v_now <= ${RELEASED_US} THEN RETURN greatest(1, ceil((v_first - v_now) / 1000.0))::integer; END IF;
       RETURN ${POLL_WHILE_IN_FLIGHT_MS};
     END IF;
     UPDATE "${schema}".send_pace SET tat_us = v_tat + p_interval WHERE name = p_name;
     INSERT INTO "${schema}".send_pace_lease (name, lease, until_us) VALUES (p_name, p_lease, v_now + ${LEASE_LAPSE_US})
       ON CONFLICT (name, lease) DO UPDATE SET until_us = EXCLUDED.until_us;
     RETURN 0;
   END $fn$`,
];
