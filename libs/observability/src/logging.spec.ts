import { REDACTED, scrubText } from './logging';

describe('scrubText', () => {
  it('redacts addresses, URL tokens and secrets', () => {
    expect(scrubText('to jane.doe@example.org and b@c.io', [])).toBe(`to ${REDACTED} and ${REDACTED}`);
    expect(scrubText('/v1/subscriptions/confirm?token=abc123&x=1', [])).toBe(`/v1/subscriptions/confirm?token=${REDACTED}&x=1`);
    expect(scrubText('secret s3cr3t-value here', ['s3cr3t-value'])).toBe(`secret ${REDACTED} here`);
  });

  it('scans a megabyte of letters with no @ in linear time (an oversized field echoed into a message)', () => {
    // Counted, not timed: the work a quadratic pattern would do here is ~5·10¹¹ steps and never ends in
    // a test's time; the linear one answers with the text unchanged.
    const text = 'a'.repeat(1_000_000);
    expect(scrubText(text, [])).toBe(text);
    expect(scrubText(`${'b'.repeat(500_000)} x@y.org`, [])).toBe(`${'b'.repeat(500_000)} ${REDACTED}`);
  });
});
