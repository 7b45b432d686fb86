import { launchBrowser } from '../test/support/chromium';

const BASE = process.env.BASE ?? 'http://127.0.0.1:4729';
const PAGES: [string, string][] = JSON.parse(process.env.PAGES ?? '[]');

async function main() {
  const browser = await launchBrowser();
  for (const width of [1280, 390]) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    for (const [name, url] of PAGES) {
      await page.goto(`${BASE}${url}`);
      const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
      await page.screenshot({ path: `/tmp/h29-shots/${name}-${width}.png`, fullPage: true });
      if (width === 390) await page.screenshot({ path: `/tmp/h29-shots/${name}-${width}-top.png`, fullPage: true, clip: { x: 0, y: Number(process.env.TOP ?? 0), width: 390, height: 1100 } });
      console.log(`${name}-${width}: scrollWidth ${scroll}`);
    }
    await context.close();
  }
  await browser.close();
}
main();
