// node bin/run-ts.js bench/first-screen.trace.ts [--web dist/web] [--path /my-day] [--runs 1] [--loads 2] [--profile [--functions]]
//
// Where a first screen's time goes, for one page of the first-screen bench (a customer manager of
// the same small demo bank, same server; --path /customers/first: the 360 page of the first
// customer): a cold and a warm load, each with
//   - the network waterfall: every request's start, response and end from navigation start, and
//     when the last script arrived;
//   - the page's main thread from a Chromium trace, up to the element being visible: how busy, the
//     self time of each kind of work (compile, module evaluation, style, layout, paint, GC…), and
//     every task of 8 ms or more with what it did;
//   - with --profile, on a build with source maps (vite build --sourcemap --outDir …): JavaScript
//     self time by package or source folder from V8's sampling profiler (through the maps, with
//     @jridgewell/trace-mapping, which Vite installs); --functions: by function, and the time
//     inside the app's own functions and antd's components.
// A diagnosis tool, not a measure: tracing and profiling slow the page down.
import './first-screen.logs.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type CDPSession } from 'playwright-core';
import { buildStratumApp } from '../src/app.js';
import { startDemoBank } from './first-screen.bank.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const WEB = path.resolve(opt('web') ?? 'dist/web');
const PAGE = opt('path') ?? '/my-day';
const RUNS = Number(opt('runs') ?? 1);
/** loads in one browsing context: the first cold, then warm (the second is where V8 writes its code cache, the third reads it) */
const LOADS = Number(opt('loads') ?? 2);
const PROFILE = args.includes('--profile');
const FUNCTIONS = args.includes('--functions');
const CHROMIUM = process.env.STRATUM_CHROMIUM ?? '/usr/bin/chromium';

const SELECTORS: Record<string, string> = {
  '/my-day': '[data-testid="my-day-reminders"] tr[data-testid^="reminder-"], [data-testid="my-day-reminders"] .ant-empty',
  '/customers': '[data-testid="customer-row"]',
  '/sign-in': '#login',
};
const selectorFor = (p: string) => SELECTORS[p] ?? (p.startsWith('/customers/') ? '[data-testid="customer-profile"]' : 'main');

const probeScript = (selector: string) => `(() => {
  const probe = { visibleAt: null };
  window.__fs = probe;
  let seen = false;
  const check = () => {
    if (seen) return;
    const el = document.querySelector(${JSON.stringify(selector)});
    if (!el) return;
    const box = el.getBoundingClientRect();
    if (box.width <= 0 || box.height <= 0) return;
    seen = true;
    requestAnimationFrame(() => { probe.visibleAt = performance.now(); if (window.__fsVisible) window.__fsVisible(String(probe.visibleAt)); });
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
  const poll = () => { check(); if (!seen) requestAnimationFrame(poll); };
  requestAnimationFrame(poll);
})();`;

interface Req {
  url: string;
  type: string;
  start: number;
  response?: number;
  end?: number;
  bytes?: number;
  fromCache?: boolean;
  protocol?: string;
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** thread (CPU) time, which does not count the time the thread waited for a core */
  tdur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

async function recordNetwork(cdp: CDPSession): Promise<Map<string, Req>> {
  const reqs = new Map<string, Req>();
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => reqs.set(e.requestId, { url: e.request.url, type: e.type ?? '', start: e.timestamp }));
  cdp.on('Network.responseReceived', (e) => {
    const r = reqs.get(e.requestId);
    if (r) {
      r.response = e.timestamp;
      r.fromCache = e.response.fromDiskCache || e.response.fromPrefetchCache;
      r.protocol = e.response.protocol;
    }
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = reqs.get(e.requestId);
    if (r) {
      r.end = e.timestamp;
      r.bytes = e.encodedDataLength;
    }
  });
  return reqs;
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-v8.compile', 'blink', 'loading', 'toplevel', 'blink.user_timing', 'disabled-by-default-v8.gc'];

async function startTrace(cdp: CDPSession): Promise<() => Promise<TraceEvent[]>> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES, recordMode: 'recordAsMuchAsPossible' }, transferMode: 'ReportEvents' });
  return async () => {
    const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await done;
    return events;
  };
}

/** The renderer main thread that ran the page: the CrRendererMain thread with the most script time in [t0, t1]. */
function pageThread(events: TraceEvent[], t0: number, t1: number): { pid: number; tid: number } | null {
  const score = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== 'X' || e.ts < t0 || e.ts > t1) continue;
    if (!['v8.evaluateModule', 'FunctionCall', 'EvaluateScript', 'ParseHTML'].includes(e.name)) continue;
    const k = `${e.pid}:${e.tid}`;
    score.set(k, (score.get(k) ?? 0) + (e.dur ?? 0));
  }
  const best = [...score].sort((a, b) => b[1] - a[1])[0];
  if (!best) return null;
  const [pid, tid] = best[0].split(':').map(Number);
  return { pid: pid ?? 0, tid: tid ?? 0 };
}

const NOTABLE = ['v8.compileModule', 'v8.evaluateModule', 'EvaluateScript', 'v8.compile', 'FunctionCall', 'UpdateLayoutTree', 'Layout', 'Paint', 'MajorGC', 'MinorGC', 'V8.GC_SCAVENGER', 'ParseAuthorStyleSheet', 'TimerFire', 'FireAnimationFrame', 'v8.produceModuleCache', 'v8.produceCache', 'ParseHTML', 'RunMicrotasks', 'HandlePostMessage', 'XHRReadyStateChange'];

/** Top-level tasks of the page's main thread between t0 and t1 (µs), with the notable work inside each. */
function mainThread(events: TraceEvent[], t0: number, t1: number) {
  const thread = pageThread(events, t0, t1);
  if (!thread) return null;
  const own = events.filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === 'X' && e.ts >= t0 - 50_000 && e.ts <= t1 && (e.dur ?? 0) > 0).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  // top-level: not inside an earlier event
  const tops: { e: TraceEvent; parts: Map<string, number> }[] = [];
  let end = -1;
  for (const e of own) {
    if (e.ts >= end) {
      tops.push({ e, parts: new Map() });
      end = e.ts + (e.dur ?? 0);
    } else {
      const top = tops[tops.length - 1];
      const url = (e.args?.data as { url?: string } | undefined)?.url;
      const label = url ? `${e.name}(${url.replace(/^.*\//, '').slice(0, 24) || url.slice(0, 24)})` : e.name;
      if (top && (NOTABLE.includes(e.name) || url)) top.parts.set(label, (top.parts.get(label) ?? 0) + (e.dur ?? 0));
    }
  }
  // self time by event: each event's duration less its children's
  // (CPU time where the trace has it: on a loaded machine the wall time is mostly waiting for a core)
  const self = new Map<string, number>();
  const stack: { e: TraceEvent; child: number }[] = [];
  const spent = (e: TraceEvent) => e.tdur ?? e.dur ?? 0;
  const close = (upTo: number) => {
    for (let top = stack[stack.length - 1]; top && top.e.ts + (top.e.dur ?? 0) <= upTo; top = stack[stack.length - 1]) {
      stack.pop();
      self.set(top.e.name, (self.get(top.e.name) ?? 0) + spent(top.e) - top.child);
      const parent = stack[stack.length - 1];
      if (parent) parent.child += spent(top.e);
    }
  };
  for (const e of own) {
    close(e.ts);
    stack.push({ e, child: 0 });
  }
  close(Number.POSITIVE_INFINITY);
  const totals = new Map<string, number>();
  for (const t of tops) for (const [n, d] of t.parts) totals.set(n, (totals.get(n) ?? 0) + d);
  const busy = tops.reduce((s, t) => s + (t.e.dur ?? 0), 0);
  const cpu = tops.reduce((s, t) => s + (t.e.tdur ?? 0), 0);
  const describe = (t: { e: TraceEvent; parts: Map<string, number> }) => ({
    at: (t.e.ts - t0) / 1000,
    ms: (t.e.dur ?? 0) / 1000,
    parts: [...t.parts].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, d]) => `${n} ${(d / 1000).toFixed(0)}`).join(', '),
  });
  return { self, totals, busy, cpu, tasks: tops.filter((t) => (t.e.dur ?? 0) >= 8000).map(describe) };
}

// ---------------------------------------------------------------------------------------------
// the sampling profile, by package or source folder (through the build's source maps)

type Mapper = (url: string, line: number, column: number) => string;

async function sourceMapper(webDir: string): Promise<Mapper> {
  const { TraceMap, originalPositionFor } = await import('@jridgewell/trace-mapping');
  const maps = new Map<string, InstanceType<typeof TraceMap> | null>();
  return (url, line, column) => {
    const file = url.replace(/^https?:\/\/[^/]+\//, '');
    if (!file.endsWith('.js')) return url ? `(${file || url})` : '(native)';
    if (!maps.has(file)) {
      const mapFile = path.join(webDir, `${file}.map`);
      maps.set(file, existsSync(mapFile) ? new TraceMap(readFileSync(mapFile, 'utf8')) : null);
    }
    const map = maps.get(file);
    if (!map || line < 0) return file;
    const pos = originalPositionFor(map, { line: line + 1, column });
    const source = pos.source ?? '?';
    if (FUNCTIONS) return `${source.replace(/^(\.\.\/)+/, '').replace(/^node_modules\//, '')}:${pos.line ?? 0} ${pos.name ?? ''}`;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:es\/|lib\/|dist\/)?([^/]+)?/.exec(source);
    if (pkg) return pkg[1] === 'antd' || pkg[1]?.startsWith('@ant-design') || pkg[1]?.startsWith('@rc-component') ? `${pkg[1]}/${pkg[2] ?? ''}` : (pkg[1] ?? source);
    return source.replace(/^(\.\.\/)+/, '');
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

function profileSummary(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }, mapper: Mapper): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i] ?? 0, (selfUs.get(samples[i] ?? 0) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  const out = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const f = n.callFrame;
    let key = f.url ? mapper(f.url, f.lineNumber, f.columnNumber) : `(${f.functionName || 'native'})`;
    if (!f.url && f.functionName && !f.functionName.startsWith('(')) {
      const caller = parent.get(id);
      const cf = caller === undefined ? undefined : byId.get(caller)?.callFrame;
      if (cf?.url) key += ` ← ${mapper(cf.url, cf.lineNumber, cf.columnNumber)}`;
    }
    out.set(key, (out.get(key) ?? 0) + us);
  }
  if (FUNCTIONS) {
    // inclusive time of the app's own functions and antd's components: every frame on a sample's stack
    const incl = new Map<string, number>();
    for (let i = 0; i < samples.length; i++) {
      const dt = deltas[i + 1] ?? deltas[i] ?? 0;
      const keys = new Set<string>();
      for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
        const f = byId.get(id)?.callFrame;
        if (!f?.url) continue;
        const k = mapper(f.url, f.lineNumber, f.columnNumber);
        if (/^src\/web\/|^antd\/es\/[\w-]+\/[A-Z\w-]*\.js:\d+ [A-Z]|^@rc-component\/[\w-]+\/es\/[\w/-]+\.js:\d+ [A-Z]/.test(k)) keys.add(k);
      }
      for (const k of keys) incl.set(k, (incl.get(k) ?? 0) + dt);
    }
    console.log(`  inclusive (ms): ${[...incl].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, us]) => `${k} ${(us / 1000).toFixed(0)}`).join('\n    ')}`);
  }
  return [...out].sort((a, b) => b[1] - a[1]);
}

// ---------------------------------------------------------------------------------------------

async function loadOnce(ctx: BrowserContext, url: string, label: string, mapper: Mapper | null): Promise<void> {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const cdp = await ctx.newCDPSession(page);
  const reqs = await recordNetwork(cdp);
  if (PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const stopTrace = await startTrace(cdp);
  // the page says when (a binding), rather than being polled by Playwright on its main thread
  await cdp.send('Runtime.enable');
  await cdp.send('Runtime.addBinding', { name: '__fsVisible' });
  const shown = new Promise<number>((resolve) =>
    cdp.on('Runtime.bindingCalled', (e) => {
      if (e.name === '__fsVisible') resolve(Number(e.payload));
    }),
  );
  await page.goto(url, { waitUntil: 'commit' });
  const visible = await shown;
  const profile = PROFILE ? (await cdp.send('Profiler.stop')).profile : null;
  await page.waitForTimeout(300);
  const events = await stopTrace();
  await cdp.detach();

  const all = [...reqs.values()].sort((a, b) => a.start - b.start);
  const doc = all.find((r) => r.type === 'Document');
  if (!doc) throw new Error('no document request');
  const t0 = doc.start;
  const rel = (t: number | undefined) => (t === undefined ? '   —' : `${Math.round((t - t0) * 1000)}`.padStart(5));
  console.log(`\n=== ${label}: ${url} — visible at ${Math.round(visible)} ms (from navigation start)`);
  console.log('  start    resp     end     KB  what');
  for (const r of all) {
    if (r.start - t0 > visible / 1000 + 0.5) continue;
    const name = r.url.replace(/^https?:\/\/[^/]+/, '');
    console.log(`  ${rel(r.start)}  ${rel(r.response)}  ${rel(r.end)}  ${((r.bytes ?? 0) / 1024).toFixed(1).padStart(5)}  ${r.type.padEnd(6)} ${r.fromCache ? '(cache) ' : ''}${r.protocol ?? ''} ${name.length > 90 ? `${name.slice(0, 87)}…` : name}`);
  }
  const scripts = all.filter((r) => r.type === 'Script');
  const lastScript = Math.max(...scripts.map((r) => r.end ?? r.start));
  console.log(`  scripts: ${scripts.length}, ${(scripts.reduce((s, r) => s + (r.bytes ?? 0), 0) / 1024).toFixed(0)} KB on the wire, the last arrived at ${rel(lastScript)} ms`);

  // the protocol's timestamps (seconds) and the trace's (µs) are both Chromium's monotonic clock
  const traceT0 = t0 * 1e6;
  const m = mainThread(events, traceT0, traceT0 + visible * 1000);
  if (!m) {
    console.log('  (no renderer main thread in the trace)');
    return;
  }
  const top = [...m.totals].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`  main thread busy ${(m.busy / 1000).toFixed(0)} ms (CPU ${(m.cpu / 1000).toFixed(0)} ms) of ${Math.round(visible)} ms; inside (ms, nested counts overlap): ${top.map(([n, d]) => `${n} ${(d / 1000).toFixed(0)}`).join(', ')}`);
  console.log(`  self CPU time by event (ms): ${[...m.self].sort((a, b) => b[1] - a[1]).slice(0, 18).map(([n, d]) => `${n} ${(d / 1000).toFixed(0)}`).join(', ')}`);
  console.log(`  tasks ≥ 8 ms: ${m.tasks.map((t) => `@${t.at.toFixed(0)} ${t.ms.toFixed(0)} ms [${t.parts}]`).join('\n                ')}`);
  if (profile && mapper) {
    const s = profileSummary(profile as never, mapper);
    const total = s.reduce((a, [, us]) => a + us, 0);
    console.log(`  JS profile (self, ms, of ${(total / 1000).toFixed(0)}):${FUNCTIONS ? '\n    ' : ' '}${s.slice(0, FUNCTIONS ? 40 : 25).map(([k, us]) => `${k} ${(us / 1000).toFixed(0)}`).join(FUNCTIONS ? '\n    ' : ', ')}`);
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(WEB, 'index.html'))) throw new Error(`${WEB} holds no built web app`);
  const bank = await startDemoBank();
  const app = await buildStratumApp({ db: bank.db, webDir: WEB, signInRateLimit: 1000 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const manager = bank.logins.find((l) => l.role === 'customer_manager');
    if (!manager) throw new Error('no customer manager');
    const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: manager.login, password: bank.password }) });
    const cookie = (res.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const [name, ...rest] = cookie.split('=');
    let target = PAGE;
    if (PAGE === '/customers/first') {
      const list = await (await fetch(`${base}/api/customers?sort=aum_desc&page=1&pageSize=1`, { headers: { cookie } })).json();
      target = `/customers/${encodeURIComponent((list as { data: { items: { customerId: string }[] } }).data.items[0]?.customerId ?? '')}`;
    }
    const mapper = PROFILE ? await sourceMapper(WEB) : null;
    // a throwaway load first: the server's first queries, Chromium's first start
    for (let run = -1; run < RUNS; run++) {
      const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
      await ctx.addCookies(PAGE === '/sign-in' ? [] : [{ name: name ?? '', value: rest.join('='), url: base }]);
      await ctx.addInitScript({ content: probeScript(selectorFor(target)) });
      await ctx.newPage();
      if (run < 0) {
        await ctx.pages()[0]?.goto(`${base}${target}`);
        await ctx.pages()[0]?.waitForFunction(() => (globalThis as unknown as { __fs?: { visibleAt: number | null } }).__fs?.visibleAt != null, undefined, { timeout: 30_000 });
      } else {
        for (let n = 0; n < LOADS; n++) await loadOnce(ctx, `${base}${target}`, n === 0 ? 'cold' : n === 1 ? 'warm' : `warm, load ${n + 1}`, mapper);
      }
      await ctx.close();
    }
  } finally {
    await browser.close();
    await app.close();
    await bank.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
