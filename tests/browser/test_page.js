#!/usr/bin/env node
// The search page (searchd/page.html) driven in Debian's chromium through
// the DevTools protocol (puppeteer-core), against a real ccg-searchd.
// tests/integration/test_page.py builds the index, starts the daemon and
// runs this; it prints TAP.
//
// usage: node test_page.js BASE_URL OUT_DIR [CHROMIUM]
//   BASE_URL  the daemon's HTTP address, http://127.0.0.1:PORT
//   OUT_DIR   where page.png (desktop) and page-phone.png go
"use strict";

const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");

const [base, outDir, chromium = "/usr/bin/chromium"] = process.argv.slice(2);
if (!base || !outDir) {
  console.error("usage: node test_page.js BASE_URL OUT_DIR [CHROMIUM]");
  process.exit(2);
}
const HOSTILE = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}

let browser, page;
const problems = [];   // script errors, CSP violations, failed requests

// Wait until the page has no request in flight and no keystroke pending.
async function settle(p = page) {
  await p.waitForFunction(() => document.documentElement.dataset.busy === "0", { timeout: 15000 });
}

// What the results list shows.
function shown(p = page) {
  return p.evaluate(() => ({
    ids: [...document.querySelectorAll("#hits .hit-title")].map((a) => a.dataset.id),
    titles: [...document.querySelectorAll("#hits .hit-title")].map((a) => a.textContent),
    status: document.getElementById("status").textContent,
    chips: [...document.querySelectorAll("#chips .chip")].map((c) => c.firstChild.textContent),
    search: location.search,
  }));
}

// Each facet's values and counts, and which are pressed.
function facets(p = page) {
  return p.evaluate(() => {
    const out = {};
    for (const s of document.querySelectorAll("#facets .facet")) {
      out[s.dataset.facet] = [...s.querySelectorAll(".facet-value")].map((b) => ({
        value: b.dataset.value, count: b.querySelector(".n").textContent,
        pressed: b.getAttribute("aria-pressed") === "true",
      }));
    }
    return out;
  });
}

// The daemon's own answer to a SEARCH, asked from the page's origin.
function ask(body) {
  return page.evaluate(async (b) => {
    const r = await fetch("/search", { method: "POST", body: JSON.stringify(b) });
    return r.json();
  }, body);
}

// What the page sends for the search box (the same two fields).
const TYPED = { syntax: "plain", prefix: true };

async function typeQuery(text) {
  await page.click("#q", { clickCount: 3 });
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text, { delay: 15 });
  await settle();
}

test("the page loads with the search box focused and no script error", async () => {
  await page.goto(base + "/", { waitUntil: "load" });
  await settle();
  eq(await page.evaluate(() => document.activeElement.id), "q", "focus");
  eq(await page.title(), "ccgsearch", "title");
  const s = await shown();
  check(s.ids.length === 10, "the empty query lists every document, ten a page: " + s.ids.length);
});

test("typing a query shows its hits with title, date, source, id and a marked snippet", async () => {
  await typeQuery("accountable officer");
  const s = await shown();
  const want = await ask(Object.assign({ q: "accountable officer", limit: 10 }, TYPED));
  check(want.ok && want.total > 10, "the daemon finds more than a page: " + JSON.stringify(want).slice(0, 200));
  eq(s.ids, want.hits.map((h) => h.id), "the hits shown are the daemon's, in order");
  check(s.status.includes(want.total + " documents"), "status gives the total: " + s.status);
  eq(new URLSearchParams(s.search).get("q"), "accountable officer", "the URL has the query");
  const first = await page.evaluate(() => {
    const h = document.querySelector("#hits .hit");
    return {
      date: h.querySelector(".date").textContent, id: h.querySelector(".id").textContent,
      marks: [...h.querySelectorAll(".snippet mark")].map((m) => m.textContent),
    };
  });
  eq(first.id, want.hits[0].id, "the id is shown");
  eq(first.date, want.hits[0].date || "undated", "the date is shown");
  check(first.marks.some((m) => /accountable officer/i.test(m)),
        "the snippet's matches are <mark> elements: " + JSON.stringify(first.marks));
  const withSource = want.hits.find((h) => h.source);
  if (withSource) {
    const src = await page.evaluate((id) => {
      const a = [...document.querySelectorAll("#hits .hit-title")].find((x) => x.dataset.id === id);
      return a.closest(".hit").querySelector(".source").textContent;
    }, withSource.id);
    eq(src, withSource.source, "the source is shown");
  }
});

test("a slow answer to an earlier keystroke never replaces a newer one", async () => {
  // Hold back the answer to "merg" until the answer to "merger" is shown.
  await page.setRequestInterception(true);
  let held = null;
  const onRequest = (r) => {
    const body = r.postData() || "";
    if (r.url().endsWith("/search") && body.includes("\"q\":\"merg\"")) held = r;
    else r.continue();
  };
  page.on("request", onRequest);
  try {
    await page.click("#q", { clickCount: 3 });
    await page.keyboard.type("merg");
    await page.waitForFunction(() => document.documentElement.dataset.busy === "1");
    await new Promise((r) => setTimeout(r, 400));   // past the debounce: "merg" is asked
    check(held, "the search for \"merg\" was sent");
    await page.keyboard.type("er");
    await page.waitForFunction(() => new URLSearchParams(location.search).get("q") === "merger");
    await new Promise((r) => setTimeout(r, 500));
    await held.continue().catch(() => {});   // aborted by the page, or answered late
    await settle();
  } finally {
    page.off("request", onRequest);
    await page.setRequestInterception(false);
  }
  const want = await ask(Object.assign({ q: "merger", limit: 10 }, TYPED));
  const stale = await ask(Object.assign({ q: "merg", limit: 10 }, TYPED));
  check(JSON.stringify(want.hits.map((h) => h.id)) !== JSON.stringify(stale.hits.map((h) => h.id)) ||
        want.total !== stale.total, "the two queries differ, so the check can fail");
  const s = await shown();
  eq(s.ids, want.hits.map((h) => h.id), "the hits are those of \"merger\"");
  check(s.status.includes(want.total + " documents"), "and its total: " + s.status);
});

let before;   // the query's answer before any filter

test("clicking a facet value filters; the facet's other values stay with their counts", async () => {
  await typeQuery("accountable officer");
  before = { shown: await shown(), facets: await facets() };
  const ccg = before.facets.ccg;
  check(ccg && ccg.length > 2, "several CCG values: " + JSON.stringify(ccg));
  const total = (await ask(Object.assign({ q: "accountable officer", limit: 0 }, TYPED))).total;
  const pick = ccg.find((v) => Number(v.count) < total && Number(v.count) > 0);
  check(pick, "a CCG value that narrows the hits");
  await page.evaluate((v) => [...document.querySelectorAll('#facets [data-facet="ccg"] .facet-value')]
    .find((b) => b.dataset.value === v).click(), pick.value);
  await settle();
  const s = await shown(), f = await facets();
  check(s.status.startsWith(pick.count + " document"), `the total is the value's count ${pick.count}: ${s.status}`);
  check(JSON.stringify(s.ids) !== JSON.stringify(before.shown.ids), "the hits changed");
  eq(s.chips, ["CCG: " + pick.value], "a chip shows the filter");
  eq(new URLSearchParams(s.search).getAll("ccg"), [pick.value], "the URL has the filter");
  // Drill-down (PROTOCOL.md): the CCG facet ignores its own filter.
  eq(f.ccg.map((v) => [v.value, v.count]), ccg.map((v) => [v.value, v.count]),
     "the CCG values and counts are unchanged");
  eq(f.ccg.filter((v) => v.pressed).map((v) => v.value), [pick.value], "only the chosen value is pressed");
  check(f.ccg.filter((v) => !v.pressed).length >= 2, "other CCG values stay visible");
  check(JSON.stringify(f.role) !== JSON.stringify(before.facets.role) ||
        JSON.stringify(f.person) !== JSON.stringify(before.facets.person),
        "the other facets' counts changed");
  const want = await ask(Object.assign({ q: "accountable officer", limit: 10,
                                         filter: { ccg: [pick.value] } }, TYPED));
  eq(s.ids, want.hits.map((h) => h.id), "the hits are the filtered search's");
});

test("removing the chip restores the hits and counts", async () => {
  await page.click("#chips .chip");
  await settle();
  const s = await shown();
  eq(s.chips, [], "no chip");
  eq(s.ids, before.shown.ids, "the same hits as before the filter");
  eq(s.status, before.shown.status, "the same total");
  eq(await facets(), before.facets, "the same facets");
  eq(new URLSearchParams(s.search).getAll("ccg"), [], "the URL has no filter");
  eq(await page.evaluate(() => document.activeElement.id), "q", "focus back in the search box");
});

test("paging shows the next ten and back", async () => {
  const first = await shown();
  await page.click("#next");
  await settle();
  const second = await shown();
  eq(new URLSearchParams(second.search).get("page"), "2", "the URL has the page");
  const want = await ask(Object.assign({ q: "accountable officer", limit: 10, offset: 10 }, TYPED));
  eq(second.ids, want.hits.map((h) => h.id), "page 2 is offset 10");
  check(second.ids.every((id) => !first.ids.includes(id)), "no hit of page 1 on page 2");
  check(second.status.includes("page 2 of"), "status says page 2: " + second.status);
  await page.click("#prev");
  await settle();
  eq((await shown()).ids, first.ids, "Previous returns to page 1");
});

test("the URL carries query, filter, dates, sort and page; reloading it shows the same", async () => {
  await page.evaluate(() => [...document.querySelectorAll('#facets [data-facet="role"] .facet-value')][0].click());
  await settle();
  await page.select("#sort", "date");
  await settle();
  await page.$eval("#from", (e) => { e.value = "2015-01-01"; e.dispatchEvent(new Event("change")); });
  await settle();
  const s = await shown();
  eq(s.chips.length, 2, "a role chip and a date chip: " + JSON.stringify(s.chips));
  check(s.chips.includes("From 2015-01-01"), "the date chip");
  const p = new URLSearchParams(s.search);
  eq([p.get("sort"), p.get("from"), p.getAll("role").length], ["date", "2015-01-01", 1], "URL state");
  const want = await ask(Object.assign({ q: "accountable officer", limit: 10, sort: "date",
                                         date_from: "2015-01-01", filter: { role: p.getAll("role") } },
                                       TYPED));
  eq(s.ids, want.hits.map((h) => h.id), "the hits are the daemon's for that state");
  const dates = want.hits.map((h) => h.date);
  check(dates.length > 0 && dates.every((d, i) => d && (i === 0 || d <= dates[i - 1])),
        "newest first, all in range: " + JSON.stringify(dates));
  await page.reload({ waitUntil: "load" });
  await settle();
  const again = await shown();
  eq(again.ids, s.ids, "reloaded: the same hits");
  eq(again.chips, s.chips, "reloaded: the same chips");
  eq(await page.evaluate(() => [document.getElementById("q").value, document.getElementById("sort").value,
                                document.getElementById("from").value]),
     ["accountable officer", "date", "2015-01-01"], "reloaded: the same controls");
  // A link opened elsewhere shows the same.
  const other = await browser.newPage();
  await other.goto(base + "/" + s.search, { waitUntil: "load" });
  await settle(other);
  eq((await shown(other)).ids, s.ids, "the link in a new tab: the same hits");
  await other.close();
  await page.goto(base + "/?q=accountable+officer", { waitUntil: "load" });
  await settle();
});

test("a hit opens its document; Escape closes it and focus returns", async () => {
  const s = await shown();
  await page.click("#hits .hit-title");
  await settle();
  const d = await page.evaluate(() => ({
    hidden: document.getElementById("doc").hidden,
    title: document.getElementById("doc-title").textContent,
    paras: document.querySelectorAll("#doc .doc-body p").length,
    focus: document.activeElement.id,
  }));
  eq(d.hidden, false, "the document view is open");
  eq(d.title, s.titles[0], "its title");
  check(d.paras > 0, "its body");
  eq(d.focus, "doc-close", "focus in the view");
  eq(new URLSearchParams(await page.evaluate(() => location.search)).get("doc"), s.ids[0], "the URL has it");
  await page.reload({ waitUntil: "load" });
  await settle();
  eq(await page.evaluate(() => document.getElementById("doc-title").textContent), s.titles[0],
     "reloaded, the document is open");
  await page.keyboard.press("Escape");
  eq(await page.evaluate(() => document.getElementById("doc").hidden), true, "Escape closes it");
  eq(new URLSearchParams(await page.evaluate(() => location.search)).get("doc"), null, "and the URL drops it");
});

test("the keyboard: / focuses the box, arrows walk the hits, Enter opens one", async () => {
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("/");
  eq(await page.evaluate(() => document.activeElement.id), "q", "/ focuses the search box");
  eq(await page.evaluate(() => document.getElementById("q").value), "accountable officer", "/ is not typed");
  const s = await shown();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  eq(await page.evaluate(() => document.activeElement.dataset.id), s.ids[1], "two arrows: the second hit");
  await page.keyboard.press("ArrowUp");
  eq(await page.evaluate(() => document.activeElement.dataset.id), s.ids[0], "up: the first");
  await page.keyboard.press("Enter");
  await settle();
  eq(await page.evaluate(() => document.getElementById("doc-title").textContent), s.titles[0], "Enter opens it");
  await page.keyboard.press("Escape");
  eq(await page.evaluate(() => document.activeElement.dataset.id), s.ids[0], "focus back on the hit");
});

async function who(text) {
  await page.click("#who", { clickCount: 3 });
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  await settle();
  return page.evaluate(() => ({
    asked: (document.querySelector("#who-out h3") || {}).textContent,
    answers: [...document.querySelectorAll("#who-out .who-answer")].map((a) => ({
      person: a.querySelector(".person").textContent, post: a.querySelector(".post").textContent,
      docs: [...a.querySelectorAll("a")].map((x) => x.textContent),
    })),
    error: (document.querySelector("#who-out .error") || {}).textContent,
  }));
}

test("the WHO box answers who held a post, and a person's posts", async () => {
  const a = await who("accountable officer at West Leicestershire");
  eq(a.asked, "accountable officer at NHS West Leicestershire CCG", "the question as understood");
  check(a.answers.some((x) => x.person === "Toby Sanders" && x.post === "accountable officer, NHS West Leicestershire CCG"),
        "Toby Sanders was: " + JSON.stringify(a));
  const b = await who("Toby Sanders");
  eq(b.asked, "Posts of Toby Sanders", "a person");
  check(b.answers.length > 0 && b.answers.every((x) => x.person === "Toby Sanders" && x.post.length > 0),
        "his posts: " + JSON.stringify(b));
  check(b.answers.some((x) => x.post.startsWith("accountable officer")), "a role among them");
  check(b.answers.every((x) => x.docs.length > 0), "each with its documents");
  eq(new URLSearchParams(await page.evaluate(() => location.search)).get("who"), "Toby Sanders", "the URL has it");
  await page.click("#who-out .who-answer a");
  await settle();
  eq(await page.evaluate(() => document.getElementById("doc").hidden), false, "a WHO document opens");
  await page.keyboard.press("Escape");
});

test("text from the index is text: a hostile title, source, body and WHO answer run nothing", async () => {
  await typeQuery("hostile record");
  const s = await shown();
  eq(s.titles, [HOSTILE], "the title is shown as literal text");
  const hit = await page.evaluate(() => {
    const h = document.querySelector("#hits .hit");
    return {
      elements: [...h.querySelectorAll("*")].map((e) => e.tagName.toLowerCase()).sort(),
      source: h.querySelector(".source").textContent, snippet: h.querySelector(".snippet").textContent,
    };
  });
  check(!hit.elements.some((t) => ["script", "img", "b"].includes(t)),
        "no element made from index text: " + JSON.stringify(hit.elements));
  eq(hit.source, "<b>Hostile Gazette</b>", "the source as text");
  check(hit.snippet.includes("<b>markup</b> & <img src=y"), "the snippet as text: " + hit.snippet);
  await page.click("#hits .hit-title");
  await settle();
  const d = await page.evaluate(() => ({
    title: document.getElementById("doc-title").textContent,
    imgs: document.querySelectorAll("#doc img, #doc script, #doc b").length,
    links: [...document.querySelectorAll("#doc a")].map((a) => a.getAttribute("href")),
  }));
  eq(d.title, HOSTILE, "the document's title as text");
  eq(d.imgs, 0, "no element in the document view");
  eq(d.links, [], "a javascript: url is no link");
  await page.keyboard.press("Escape");
  const w = await who("Jane Hostileton");
  check(w.answers.length === 1 && w.answers[0].docs[0] === HOSTILE, "the WHO document title as text: " + JSON.stringify(w));
  eq(await page.evaluate(() => typeof window.pwned), "undefined", "window.pwned");
  eq(await page.evaluate(() => document.querySelectorAll("body img").length), 0, "no img anywhere");
});

test("a desktop screenshot", async () => {
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(base + "/?q=accountable+officer&ccg=NHS+West+Leicestershire+CCG&who=Toby+Sanders",
                  { waitUntil: "load" });
  await settle();
  await page.evaluate(() => document.activeElement.blur());
  const file = path.join(outDir, "page.png");
  await page.screenshot({ path: file });
  check(fs.statSync(file).size > 10000, "a screenshot written");
  console.log("# screenshot: " + file);
});

test("at phone width (375 px) nothing scrolls sideways", async () => {
  await page.setViewport({ width: 375, height: 812, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  for (const q of ["/?q=accountable+officer&ccg=NHS+West+Leicestershire+CCG&who=Toby+Sanders",
                   "/?q=hostile+record&who=Jane+Hostileton"]) {
    await page.goto(base + q, { waitUntil: "load" });
    await settle();
    const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    check(w[0] <= w[1], `${q}: the page is ${w[0]} px wide in a ${w[1]} px window`);
  }
  await page.goto(base + "/?q=accountable+officer&ccg=NHS+West+Leicestershire+CCG", { waitUntil: "load" });
  await settle();
  await page.evaluate(() => document.activeElement.blur());
  const file = path.join(outDir, "page-phone.png");
  await page.screenshot({ path: file });
  check(fs.statSync(file).size > 10000, "a screenshot written");
  console.log("# screenshot: " + file);
  await page.click("#hits .hit-title");
  await settle();
  const w = await page.evaluate(() => [document.querySelector(".doc-box").scrollWidth, window.innerWidth]);
  check(w[0] <= w[1], `the document view is ${w[0]} px wide in ${w[1]}`);
});

test("no script error, CSP violation or failed request on the way", async () => {
  eq(problems, [], "problems");
});

(async () => {
  console.log("1.." + tests.length);
  try {
    browser = await puppeteer.launch({
      executablePath: chromium, headless: true,
      // --no-sandbox: chromium's sandbox cannot start as root, as tests run in CI.
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--lang=en-GB"],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on("pageerror", (e) => problems.push("page error: " + e.message));
    page.on("console", (m) => { if (m.type() === "error") problems.push("console: " + m.text()); });
    page.on("requestfailed", (r) => {
      const why = r.failure() ? r.failure().errorText : "";
      if (why !== "net::ERR_ABORTED") problems.push("request failed: " + r.url() + " " + why);
    });
    page.on("response", (r) => { if (r.status() >= 400) problems.push("HTTP " + r.status() + " " + r.url()); });
    await page.evaluateOnNewDocument(() => {
      document.addEventListener("securitypolicyviolation",
        (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));
    });
  } catch (e) {
    console.log("not ok 1 - chromium starts (" + chromium + ")");
    console.log("#   " + String(e.stack || e).split("\n").join("\n#   "));
    process.exit(1);
  }
  let failed = 0;
  for (let i = 0; i < tests.length; i++) {
    const [name, fn] = tests[i];
    const t0 = Date.now();
    try {
      await fn();
      console.log(`ok ${i + 1} - ${name} (${((Date.now() - t0) / 1000).toFixed(2)}s)`);
    } catch (e) {
      failed++;
      console.log(`not ok ${i + 1} - ${name}`);
      console.log("#   " + String(e.stack || e).split("\n").slice(0, 8).join("\n#   "));
    }
  }
  await browser.close();
  process.exit(failed ? 1 : 0);
})();
