import { requestEarly, setApiLanguage } from './app/api.js';
// Ant Design's static style sheet (app/theme.ts: zeroRuntime), before ours, which overrides it
import 'antd/dist/antd.css';
import './app/global.css';

// The entry is kept small on purpose: it sends the first screen's requests — who is signed in, and
// the opened page's first data — and starts loading that page's code, all before React, Ant Design
// and the rest of the app have arrived. The app takes the answers when it asks (api.ts, "early").

/** The language i18n.ts will choose (the remembered choice, else the browser's): the early requests are asked in it. */
function earlyLanguage(): string {
  try {
    const stored = localStorage.getItem('stratum.lang');
    if (stored === 'zh-CN' || stored === 'en') return stored;
  } catch {
    // storage disabled by policy
  }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The first screens worth starting early: their page's code and their first request (as the page sends it). */
function startFirstScreen(pathname: string, search: string): void {
  if (pathname === '/sign-in') {
    void import('./app/sign-in.page.js');
    return;
  }
  // the frame around every signed-in page, and antd's App that app.tsx wraps it in
  void import('./app/frame.layout.js');
  void import('antd/es/app');
  if (pathname === '/my-day') {
    // the first tab (risks), first page, as my-day.page.tsx asks; and the plan
    requestEarly('/api/worklist/reminders', { kind: 'risk', page: 1, pageSize: 10 });
    requestEarly('/api/worklist/plan');
    void import('./features/worklist/my-day.page.js');
  } else if (pathname === '/customers') {
    // the plain list (default sort and page size, as customer-list.params.ts writes it); a filtered one asks itself
    if (!search) requestEarly('/api/customers', { sort: 'aum_desc', page: 1, pageSize: 50 });
    requestEarly('/api/branches'); // the filters' branch list
    void import('./features/customers/customer-list.page.js');
  } else if (pathname.startsWith('/customers/')) {
    const id = decoded(pathname.slice('/customers/'.length));
    if (id && !id.includes('/')) requestEarly(`/api/customers/${encodeURIComponent(id)}`);
    void import('./features/customers/customer-360.page.js');
  }
}

setApiLanguage(earlyLanguage());
requestEarly('/api/session');
startFirstScreen(window.location.pathname, window.location.search);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
void import('./app/app.js').then(({ startApp }) => startApp(root));
