import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MailRenderer } from './mail-renderer';
import { TemplateLibrary } from './template-library';

describe('MailRenderer', () => {
  const renderer = new MailRenderer();
  const data = {
    subject: 'Confirm your subscription',
    email: 'reader@example.org',
    topics: ['Malaysia', '<script>alert(1)</script> & co'],
    delivery: 'Instant alerts.',
    confirmUrl: 'https://pw.example/v1/subscriptions/confirm?token=abc&x=1',
    expiresOn: '7 January 2025',
    manageUrl: 'https://pw.example/v1/subscriptions/manage?token=m',
    unsubscribeUrl: 'https://pw.example/v1/subscriptions/unsubscribe?token=u',
  };

  it('escapes values in HTML and wraps the body in the shared layout', () => {
    const { html } = renderer.render('confirmation', data);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(html).not.toContain('<script>');
    expect(html).toContain('href="https://pw.example/v1/subscriptions/confirm?token&#x3D;abc&amp;x&#x3D;1"');
    expect(html).toContain('Manage your preferences');
    expect(html).not.toMatch(/<img|<script|https?:\/\/(?!pw\.example)/);
  });

  it('leaves plain text unescaped, with the footer links', () => {
    const { text } = renderer.render('confirmation', data);
    expect(text).toContain('- <script>alert(1)</script> & co');
    expect(text).toContain(data.confirmUrl);
    expect(text).toContain(`Unsubscribe: ${data.unsubscribeUrl}`);
  });

  it('refuses an unknown template or a name that is a path', () => {
    expect(() => renderer.render('nope', data)).toThrow(/No html template "nope"/);
    expect(() => renderer.render('../templates/confirmation', data)).toThrow(/No html template/);
  });

  it('compiles each template once', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pw-templates-'));
    writeFileSync(path.join(dir, 'hello.html.hbs'), '<p>{{name}}</p>');
    const library = new TemplateLibrary(dir);
    expect(library.render('hello', 'html', { name: 'a' })).toBe('<p>a</p>');
    writeFileSync(path.join(dir, 'hello.html.hbs'), '<p>changed</p>');
    expect(library.render('hello', 'html', { name: 'b' })).toBe('<p>b</p>');
  });

  it('fails at construction when the template directory is missing', () => {
    expect(() => new TemplateLibrary('/nonexistent/templates')).toThrow(/does not exist/);
  });
});
