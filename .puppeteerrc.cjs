// Puppeteer must never download a browser: tests use Debian's chromium (see scripts/ensure-chromium.mjs).
module.exports = { skipDownload: true, chrome: { skipDownload: true }, firefox: { skipDownload: true } };
