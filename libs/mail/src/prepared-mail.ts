import { randomBytes } from 'node:crypto';
import Handlebars from 'handlebars';
import MailComposer from 'nodemailer/lib/mail-composer';
import * as qp from 'nodemailer/lib/qp';
import type { RenderedMail } from './mail-renderer';

/**
 * Stand-ins for the values that differ per recipient (their links), rendered into a template in
 * place of the real values: `{ manageUrl: 'pwslot0x…' }`. The tokens are letters and digits only,
 * so HTML escaping and quoted-printable leave them as they are, and carry a random nonce, so no
 * text an editor typed can contain one.
 */
export class MailPlaceholders<K extends string = string> {
  readonly tokens: Readonly<Record<K, string>>;

  constructor(readonly names: readonly K[]) {
    const nonce = randomBytes(8).toString('hex');
    this.tokens = Object.fromEntries(names.map((name, i) => [name, `pwslot${i}x${nonce}`])) as Record<K, string>;
  }
}

/** What differs per recipient of a prepared mail. */
export interface RecipientParts {
  to: string;
  messageId: string;
  /** Values of the per-recipient headers the mail was prepared with (List-Unsubscribe, …). */
  headers?: Record<string, string>;
  /** Raw values of the placeholders (the HTML part gets them escaped, as the template would). */
  values: Record<string, string>;
}

/** One piece of the prepared message: constant text, or the index of a per-recipient slot. */
type Piece = string | number;
/** A piece as build() uses it: the constant text's bytes, made once, or a slot's index. */
type Chunk = Buffer | number;

type Slot =
  | { kind: 'to' | 'messageId' | 'date' }
  | { kind: 'header'; name: string }
  | { kind: 'body'; name: string; html: boolean; last: boolean };

const CRLF = (s: string) => s.replace(/\r?\n/g, '\r\n');
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A pattern that splits a string at any of `tokens`, keeping them (split() then alternates text, token, text, …). */
const splitter = (tokens: string[]) => new RegExp(`(${tokens.map(escapeRegExp).join('|') || '(?!)'})`);
/** Header values substituted as they are must be one line of printable ASCII (no encoding needed). */
const HEADER_SAFE = /^[\x20-\x7e]{0,900}$/;
const ADDRESS_SAFE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$/;

/**
 * Quoted-printable of one piece of a body that continues after it: lines of at most 76 characters,
 * and a soft line break at its end unless it ends on a line break, so the next piece starts a line
 * of its own. Soft breaks vanish when decoded, so the pieces decode to exactly their concatenation
 * whatever their lengths: a per-recipient link is encoded on its own and never shifts the shared
 * lines around it.
 */
function encodePiece(text: string, last: boolean): string {
  if (text === '') return '';
  const encoded = qp.wrap(qp.encode(text), 75);
  return last || encoded.endsWith('\r\n') ? encoded : `${encoded}=\r\n`;
}

/**
 * A message rendered and MIME-encoded once and sent to many recipients: the headers (From,
 * Subject, MIME structure) and every shared line of the text and HTML parts are built here once;
 * `build()` adds what differs per recipient (To, Message-ID, Date, the per-recipient headers and
 * links) by concatenation. One alert to 100,000 subscribers then costs one Handlebars render and
 * one MIME encoding, not 100,000 of each.
 *
 * The bodies are quoted-printable, each per-recipient link encoded as a separate run of lines
 * (see encodePiece): byte-correct whatever the link's length or characters. `expand()` gives the
 * same message as plain strings, for a transport or recipient the raw path does not fit.
 */
export class PreparedMail {
  private constructor(
    readonly subject: string,
    private readonly rendered: RenderedMail,
    private readonly placeholders: MailPlaceholders,
    private readonly headerNames: readonly string[],
    private readonly chunks: Chunk[],
    private readonly slots: Slot[],
    /** Approximate bytes of memory held: what a cache of prepared mails counts. */
    readonly size: number,
  ) {}

  /**
   * `rendered`: the template's output with `placeholders.tokens` in place of the per-recipient
   * values; `headerNames`: the per-recipient headers every recipient's message carries.
   */
  static async prepare(
    from: string,
    subject: string,
    rendered: RenderedMail,
    placeholders: MailPlaceholders,
    headerNames: readonly string[] = [],
  ): Promise<PreparedMail> {
    const nonce = randomBytes(8).toString('hex');
    const token = (what: string) => `pwmime${what}x${nonce}`;
    const skeleton = await new Promise<string>((resolve, reject) => {
      new MailComposer({
        from,
        to: `${token('to')}@pledgewatch.invalid`,
        subject,
        text: token('text'),
        html: token('html'),
        messageId: `<${token('mid')}@pledgewatch.invalid>`,
        headers: Object.fromEntries(headerNames.map((name, i) => [name, token(`h${i}`)])),
      })
        .compile()
        .build((error, message) => (error ? reject(error) : resolve(message.toString('latin1'))));
    });

    const slots: Slot[] = [];
    const marks = new Map<string, Slot>([
      [`${token('to')}@pledgewatch.invalid`, { kind: 'to' }],
      [`<${token('mid')}@pledgewatch.invalid>`, { kind: 'messageId' }],
      ...headerNames.map((name, i): [string, Slot] => [token(`h${i}`), { kind: 'header', name }]),
    ]);
    // The Date nodemailer stamped, and each part's transfer encoding (it picks 7bit for a token).
    let head = skeleton.replace(/\r\nDate: [^\r\n]*\r\n/, () => `\r\nDate: ${token('date')}\r\n`);
    marks.set(token('date'), { kind: 'date' });
    for (const part of ['text', 'html'] as const) {
      const at = new RegExp(`Content-Transfer-Encoding: [^\\r\\n]+\\r\\n\\r\\n${token(part)}\\r\\n`);
      if (!at.test(head)) throw new Error(`PreparedMail: no ${part} part in the MIME skeleton`);
      head = head.replace(at, () => `Content-Transfer-Encoding: quoted-printable\r\n\r\n${token(part)}\r\n`);
    }

    const tokenToName = new Map(placeholders.names.map((name) => [placeholders.tokens[name], name]));
    const bodyPieces = (text: string, html: boolean): Piece[] => {
      const parts = CRLF(text).split(splitter([...tokenToName.keys()]));
      // split() with a capture group alternates: constant, token, constant, …, constant.
      return parts.flatMap((part, i): Piece[] => {
        const last = i === parts.length - 1 || (i === parts.length - 2 && parts[parts.length - 1] === '');
        if (i % 2 === 0) return part === '' ? [] : [encodePiece(part, last)];
        slots.push({ kind: 'body', name: tokenToName.get(part)!, html, last });
        return [slots.length - 1];
      });
    };

    const pieces: Piece[] = [];
    head
      .split(splitter([...marks.keys(), token('text'), token('html')])).forEach((part, i) => {
      if (i % 2 === 0) {
        if (part) pieces.push(part);
      } else if (part === token('text')) {
        pieces.push(...bodyPieces(rendered.text, false));
      } else if (part === token('html')) {
        pieces.push(...bodyPieces(rendered.html, true));
      } else {
        slots.push(marks.get(part)!);
        pieces.push(slots.length - 1);
      }
    });
    // Neighbouring constants become one run of bytes, made once: a send copies them into the
    // recipient's message, it never builds or encodes a string of the whole message.
    const merged = pieces.reduce<Piece[]>((out, piece) => {
      const prev = out[out.length - 1];
      if (typeof piece === 'string' && typeof prev === 'string') out[out.length - 1] = prev + piece;
      else out.push(piece);
      return out;
    }, []);
    const chunks = merged.map((piece): Chunk => (typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece));
    // The constant bytes, and the rendered strings kept for expand() (non-ASCII text: two bytes a character in V8).
    const size = chunks.reduce<number>((n, c) => n + (typeof c === 'number' ? 0 : c.length), 0) + 2 * (rendered.html.length + rendered.text.length);
    return new PreparedMail(subject, rendered, placeholders, headerNames, chunks, slots, size);
  }

  /**
   * Whether build() can serve this recipient: an address and header values that go into the
   * message as they are (printable ASCII, one line), and exactly the headers prepared for.
   */
  fits(recipient: RecipientParts): boolean {
    const headers = recipient.headers ?? {};
    return (
      ADDRESS_SAFE.test(recipient.to) &&
      HEADER_SAFE.test(recipient.messageId) &&
      Object.keys(headers).length === this.headerNames.length &&
      this.headerNames.every((name) => typeof headers[name] === 'string' && HEADER_SAFE.test(headers[name])) &&
      this.placeholders.names.every((name) => typeof recipient.values[name] === 'string')
    );
  }

  /** The recipient's whole message, ready for SMTP DATA (nodemailer's `raw`). Check fits() first. */
  build(recipient: RecipientParts): Buffer {
    const date = new Date().toUTCString().replace(/GMT/, '+0000');
    const own = (slot: Slot): string => {
      switch (slot.kind) {
        case 'to':
          return recipient.to;
        case 'messageId':
          return recipient.messageId;
        case 'date':
          return date;
        case 'header':
          return recipient.headers![slot.name];
        case 'body': {
          const value = recipient.values[slot.name];
          return encodePiece(slot.html ? Handlebars.escapeExpression(value) : value, slot.last);
        }
      }
    };
    // Every per-recipient part is ASCII (fits() and quoted-printable see to it): latin1 is its bytes.
    return Buffer.concat(this.chunks.map((chunk) => (typeof chunk === 'number' ? Buffer.from(own(this.slots[chunk]), 'latin1') : chunk)));
  }

  /** The same message as strings (the placeholders replaced), for the ordinary send path. */
  expand(values: Record<string, string>): RenderedMail & { subject: string } {
    const replace = (text: string, html: boolean) =>
      this.placeholders.names.reduce((out, name) => {
        const value = values[name] ?? '';
        return out.split(this.placeholders.tokens[name]).join(html ? Handlebars.escapeExpression(value) : value);
      }, text);
    return { subject: this.subject, html: replace(this.rendered.html, true), text: replace(this.rendered.text, false) };
  }
}

/**
 * Prepared mails by key, least recently used first out, within a budget of bytes: a digest slot
 * prepares one mail per (topic set, time zone), each tens of KB, so a count alone would not bound
 * the memory. A failed preparation is not kept.
 */
export class PreparedMailCache {
  private readonly entries = new Map<string, { mail: Promise<PreparedMail>; size: number }>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get(key: string, prepare: () => Promise<PreparedMail>): Promise<PreparedMail> {
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.mail;
    }
    const entry = { mail: prepare(), size: 0 };
    this.entries.set(key, entry);
    entry.mail.then(
      (mail) => {
        if (this.entries.get(key) !== entry) return;
        entry.size = mail.size;
        this.bytes += mail.size;
        for (const [oldest, old] of this.entries) {
          if (this.bytes <= this.budgetBytes || oldest === key) break;
          this.entries.delete(oldest);
          this.bytes -= old.size;
        }
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.mail;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
