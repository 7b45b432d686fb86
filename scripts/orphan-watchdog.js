'use strict';
/**
 * Calls `onOrphaned` once when this process's parent changes: it died without passing a signal on
 * (npm runs us through `sh -c`; when npm is told to stop, the shell dies and leaves us orphaned).
 * Checked every second; the timer never keeps the process alive. Plain CommonJS: bootstrap.js
 * runs before dependencies are installed, run.ts imports it too.
 */
function watchParent(onOrphaned) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, 1000);
  timer.unref();
}

module.exports = { watchParent };
