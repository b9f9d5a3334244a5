// Opens a written report.html in headless Chromium (Debian's, driven by playwright-core) the way both
// reports' browser tests need it (report.browser.test.ts, training-report.browser.test.ts): from disk,
// with the network off, at 1280 × 900, recording every request, console error and page error from the
// first load on, so a test can check that the page loads nothing and logs nothing.
import { pathToFileURL } from "node:url";
import { chromiumPath } from "@finemem/testing";
import { type Browser, chromium, type Page } from "playwright-core";

/** Headless flags for a test run: no sandbox, no GPU, none of Chromium's own background traffic. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-quic",
  "--no-first-run",
  "--disable-sync",
];

export interface OpenedReport {
  /** Close it when done (afterAll): it holds the page. */
  readonly browser: Browser;
  readonly page: Page;
  /** The URL of every request the page made, in order (the report's own file: URL among them). */
  readonly requests: string[];
  /** The text of every console message of type error. */
  readonly consoleErrors: string[];
  /** The message of every uncaught page error. */
  readonly pageErrors: string[];
}

/** Launches Chromium and loads the report at `reportPath` (a file path) until its load event. */
export async function openReportInChromium(reportPath: string): Promise<OpenedReport> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const opened: OpenedReport = { browser, page, requests: [], consoleErrors: [], pageErrors: [] };
  page.on("request", (request) => opened.requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") opened.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => opened.pageErrors.push(error.message));
  await page.goto(pathToFileURL(reportPath).href, { waitUntil: "load" });
  return opened;
}
