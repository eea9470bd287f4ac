// The tietopankki web page in a real browser: Debian's headless Chromium,
// driven by playwright-core, checked with axe-core (WCAG 2.1 A/AA).
//
//   BASE_URL=http://127.0.0.1:8080 node browser-test.mjs
//
// Expects a server on BASE_URL serving the repository's documents/ folder.
// Writes screenshots to SCREENSHOT_DIR (default ../../target/browser).
// Exits non-zero on the first failed check.

import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve("axe-core/axe.min.js");
const BASE = (process.env.BASE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const SHOTS = process.env.SCREENSHOT_DIR || path.join(here, "..", "..", "target", "browser");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

let passed = 0;
let failed = 0;

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

async function step(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`not ok - ${name}\n  ${String(err && err.stack ? err.stack : err).split("\n").join("\n  ")}`);
  }
}

async function waitForServer() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${BASE}/healthz`);
      if (res.ok) {
        return;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${BASE} did not answer /healthz within 60 s`);
}

/** Runs axe-core on the page; fails on any violation. */
async function axe(page, label) {
  await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
  });
  const violations = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n      ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("\n      ")}`,
  );
  check(result.passes.length > 20, `axe ran only ${result.passes.length} passing rules on ${label}`);
  check(violations.length === 0, `axe found ${violations.length} violation(s) on ${label}:\n    ${violations.join("\n    ")}`);
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  await waitForServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  // axe is injected as a script: this context lets it past our CSP.
  const context = await browser.newContext({
    bypassCSP: true,
    locale: "fi-FI",
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));

  await step("front page in Finnish (Accept-Language), accessible", async () => {
    const res = await page.goto(`${BASE}/`);
    check(res && res.status() === 200, `status ${res && res.status()}`);
    check((await page.getAttribute("html", "lang")) === "fi", "html lang is fi");
    check((await page.textContent("h1")).includes("Hae"), "Finnish heading");
    check(/\d+ asiakirjaa, päivitetty/.test(await page.textContent("#status")), "status line");
    const csp = res.headers()["content-security-policy"] || "";
    check(csp.includes("default-src 'self'"), `CSP header: ${csp}`);
    check(res.headers()["x-content-type-options"] === "nosniff", "nosniff");
    await axe(page, "the front page");
    await page.screenshot({ path: path.join(SHOTS, "front.png"), fullPage: true });
  });

  await step("keyboard: skip link first, visible focus, search by Enter", async () => {
    await page.goto(`${BASE}/?ui=fi`);
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.className);
    check(focused === "skip", `first Tab focuses the skip link (got ${focused})`);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check(outline && outline !== "none", `focus is visible (outline ${outline})`);
    await page.keyboard.press("Enter");
    check(await page.evaluate(() => document.activeElement && document.activeElement.id === "main"), "skip link moves focus to main");
    await page.focus("#q");
    await page.keyboard.type("kotivara");
    await Promise.all([page.waitForURL(/q=kotivara/), page.keyboard.press("Enter")]);
    const hits = await page.locator("li.hit").count();
    check(hits > 0, "results after searching");
  });

  await step("results page: hits, marks, facets, accessible", async () => {
    await page.goto(`${BASE}/?ui=fi&q=kotivara`);
    check((await page.locator("li.hit").count()) > 0, "hits");
    check((await page.locator("li.hit mark").count()) > 0, "marked words");
    check((await page.textContent("p.count")).includes("kotivara"), "result count names the query");
    check((await page.locator("aside.facets a").count()) > 0, "facet links");
    await axe(page, "the results page");
  });

  await step("results in the other languages: a labelled section that can be switched off", async () => {
    await page.goto(`${BASE}/?ui=fi&q=kotivara`);
    const section = page.locator("section.other-languages");
    check((await section.locator("h2").textContent()).trim() === "Myös ruotsiksi ja englanniksi", "section heading");
    check((await section.locator("li.hit").count()) > 0, "hits in other languages");
    check((await section.locator("p.via").count()) > 0, "the terms they were found by");
    await Promise.all([page.waitForURL(/other_languages=false/), section.locator("p.other-toggle a").click()]);
    check((await page.locator("section.other-languages").count()) === 0, "switched off");
    check((await page.locator("li.hit").count()) > 0, "main hits stay");
    await axe(page, "the results page without other languages");
  });

  await step("facet filter narrows the results and can be removed", async () => {
    await page.goto(`${BASE}/?ui=en&q=72`);
    const before = await page.locator("li.hit").count();
    const pdfFacet = page.locator("aside.facets a", { hasText: "PDF" }).first();
    check((await pdfFacet.count()) === 1, "a PDF facet");
    await Promise.all([page.waitForURL(/format=pdf/), pdfFacet.click()]);
    const formats = await page.locator("li.hit .meta .badge:nth-child(2)").allTextContents();
    check(formats.length > 0 && formats.every((f) => f === "PDF"), `only PDFs: ${formats}`);
    check(formats.length <= before, "filter narrows");
    const current = page.locator("aside.facets a[aria-current='true']");
    check((await current.count()) === 1, "the active filter is marked");
    const href = await page.locator("li.hit h3 a").first().getAttribute("href");
    check(/^\/documents\/.+\.pdf#page=\d+$/.test(href), `a PDF hit links to its page: ${href}`);
    await axe(page, "a filtered results page");
    await Promise.all([page.waitForURL((u) => !String(u).includes("format=pdf")), current.click()]);
  });

  await step("follow a hit to the original document", async () => {
    await page.goto(`${BASE}/?ui=fi&q=kotivara&format=markdown`);
    const link = page.locator("li.hit h3 a").first();
    const href = await link.getAttribute("href");
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().includes("/documents/")), link.click()]);
    check(res.status() === 200, `document status ${res.status()}`);
    check(res.headers()["content-type"].startsWith("text/markdown"), `content type ${res.headers()["content-type"]}`);
    check(href.startsWith("/documents/"), href);
    const pdf = await page.request.get(`${BASE}/documents/fi/yhdistyksen-valmiussuunnitelma.pdf`);
    check(pdf.status() === 200 && pdf.headers()["content-type"] === "application/pdf", "PDF served as application/pdf");
  });

  await step("switch language: Swedish, remembered in the URL, hits in other languages marked", async () => {
    await page.goto(`${BASE}/?ui=fi&q=str%C3%B6mavbrott`);
    check((await page.locator("li.hit[lang='sv']").count()) > 0, "Swedish hits carry lang=sv on a Finnish page");
    const sv = page.locator("nav.langs a[hreflang='sv']");
    await Promise.all([page.waitForURL(/ui=sv/), sv.click()]);
    check((await page.getAttribute("html", "lang")) === "sv", "html lang is sv");
    check((await page.textContent("form.search button")).trim() === "Sök", "Swedish button");
    check((await page.inputValue("#q")) === "strömavbrott", "query kept");
    check((await page.getAttribute("nav.langs a[hreflang='sv']", "aria-current")) === "true", "current language marked");
    await axe(page, "the Swedish results page");
    // The language stays when searching again.
    await page.fill("#q", "bidrag");
    await Promise.all([page.waitForURL(/q=bidrag/), page.click("form.search button")]);
    check(page.url().includes("ui=sv"), `language remembered: ${page.url()}`);
    check((await page.textContent("h2#results-h")).trim() === "Träffar", "Swedish results heading");
  });

  await step("English interface, paging links, screenshot", async () => {
    await page.goto(`${BASE}/?ui=en&q=volunteer`);
    check((await page.getAttribute("html", "lang")) === "en", "html lang is en");
    check((await page.locator("li.hit").count()) > 0, "hits");
    await axe(page, "the English results page");
    await page.screenshot({ path: path.join(SHOTS, "screenshot.png"), fullPage: true });
    const paged = await browser.newPage();
    await paged.goto(`${BASE}/?ui=en&q=yhdistys+förening+association&per_page=1`);
    const next = paged.locator("nav.pages a[rel='next']");
    if ((await next.count()) > 0) {
      await Promise.all([paged.waitForURL(/page=2/), next.click()]);
      check((await paged.locator("nav.pages a[aria-current='page']").textContent()).trim() === "2", "on page 2");
    }
    await paged.close();
  });

  await step("a document's markup is shown as text", async () => {
    await page.goto(`${BASE}/?ui=en&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E`);
    const value = await page.inputValue("#q");
    check(value === "<script>alert(1)</script>", "the query is echoed as text");
    check((await page.locator("script:not([src])").count()) === 0, "no inline script on the page");
  });

  await step("mobile width, accessible", async () => {
    const mobile = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 }, locale: "sv-FI" });
    const p = await mobile.newPage();
    await p.goto(`${BASE}/?q=kotivara`);
    check((await p.getAttribute("html", "lang")) === "sv", "Accept-Language sv picks Swedish");
    await axe(p, "the mobile results page");
    await p.screenshot({ path: path.join(SHOTS, "mobile.png"), fullPage: true });
    await mobile.close();
  });

  await step("works without JavaScript, and the CSP blocks nothing of ours", async () => {
    const nojs = await browser.newContext({ javaScriptEnabled: false, locale: "en-GB" });
    const p = await nojs.newPage();
    const violations = [];
    p.on("console", (msg) => {
      if (/Content Security Policy|Refused to/.test(msg.text())) violations.push(msg.text());
    });
    await p.goto(`${BASE}/`);
    await p.fill("#q", "grant");
    await Promise.all([p.waitForURL(/q=grant/), p.click("form.search button")]);
    check((await p.locator("li.hit").count()) > 0, "server-rendered results without JavaScript");
    await nojs.close();
    const strict = await browser.newContext({ locale: "fi-FI" });
    const s = await strict.newPage();
    s.on("console", (msg) => {
      if (/Content Security Policy|Refused to/.test(msg.text())) violations.push(msg.text());
    });
    await s.goto(`${BASE}/?q=kotivara`);
    await s.waitForLoadState("networkidle");
    const styled = await s.evaluate(() => getComputedStyle(document.querySelector("header.site")).backgroundColor);
    check(styled !== "rgba(0, 0, 0, 0)", `the stylesheet loads under the CSP (${styled})`);
    await strict.close();
    check(violations.length === 0, `CSP violations: ${violations.join("; ")}`);
  });

  check(pageErrors.length === 0, `JavaScript errors: ${pageErrors.join("; ")}`);
  await browser.close();
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  console.log(`\n${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
