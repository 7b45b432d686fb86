import { launchBrowser } from '../test/support/chromium';
async function main() {
  const browser = await launchBrowser();
  const page = await (await browser.newContext({ viewport: { width: 390, height: 900 } })).newPage();
  await page.goto(`http://127.0.0.1:4729${process.argv[2]}`);
  console.log(await page.evaluate(`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391).slice(0,8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('\\n')`));
  await browser.close();
}
main();
