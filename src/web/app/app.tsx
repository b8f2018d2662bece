import { ConfigProvider, Spin, theme } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import i18next from 'i18next';
import { startTransition, StrictMode, Suspense, use, type ComponentType, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, matchPath, Navigate, Route, Routes, useLocation } from 'react-router';
import type { Permission } from '../../features/access/access.permissions.js';
import { setNetworkMessage } from './api.js';
import { setupI18n } from './i18n.js';
import { SessionProvider, useSession } from './session.js';
import { THEME } from './theme.js';
import { keepFocusInDialogs } from './dialog-focus.js';

/** While a page's code loads: a small spinner that says what it is. */
function PageLoading() {
  const { t } = useTranslation();
  return (
    <div className="full-center" role="status" aria-label={t('app.loading')} style={{ minHeight: 240 }}>
      <Spin />
    </div>
  );
}

/**
 * A part whose code is loaded when it is first needed. Unlike React.lazy, a part whose code has
 * already arrived (`preload`, which startApp calls for the first screen) renders at once: no
 * fallback is committed first, so React does not hold back what follows it (it spaces a
 * fallback and the content replacing it at least 300 ms apart).
 */
function lazyPart<M, P extends object>(load: () => Promise<M>, pick: (m: M) => ComponentType<P>) {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const preload = (): Promise<ComponentType<P>> => {
    if (!loading) {
      loading = load().then((m) => (loaded = pick(m)));
      loading.catch(() => {
        loading = null; // a failed download is tried again by the next render
      });
    }
    return loading;
  };
  function Part(props: P) {
    const Loaded = loaded ?? use(preload());
    return <Loaded {...props} />;
  }
  return { Part, preload };
}

/** A page loaded when first shown; the spinner shows meanwhile, inside the frame. */
function lazyPage<M>(load: () => Promise<M>, pick: (m: M) => ComponentType) {
  const { Part, preload } = lazyPart(load, pick);
  function LazyPage() {
    return (
      <Suspense fallback={<PageLoading />}>
        <Part />
      </Suspense>
    );
  }
  return Object.assign(LazyPage, { preload });
}

/**
 * antd's App (the context of message, notification and modal, which only the signed-in pages use),
 * loaded with the frame rather than with the sign-in page.
 */
const AntApp = lazyPart(
  () => import('antd/es/app'),
  (m) => m.default as ComponentType<{ children?: ReactNode }>,
);

/** For the screens outside the frame (sign-in, the first check's spinner): the text style antd's App gives the frame. */
function OutsideFrame({ children }: { children: ReactNode }) {
  const { token } = theme.useToken();
  return <div style={{ color: token.colorText, fontSize: token.fontSize, lineHeight: token.lineHeight, fontFamily: token.fontFamily }}>{children}</div>;
}

// the same module paths as main.tsx's early start, so both load one chunk
const SignInPage = lazyPage(() => import('./sign-in.page.js'), (m) => m.SignInPage);
const FrameLayout = lazyPage(() => import('./frame.layout.js'), (m) => m.FrameLayout);
const NotFoundPage = lazyPage(() => import('./status.pages.js'), (m) => m.NotFoundPage);
const ForbiddenPage = lazyPage(() => import('./status.pages.js'), (m) => m.ForbiddenPage);
const HomePage = lazyPage(() => import('./home.page.js'), (m) => m.HomePage);

type LazyPage = ReturnType<typeof lazyPage>;

/** The pages inside the frame, and what each needs. */
const PAGES: { path: string; permission: Permission; page: LazyPage }[] = [
  { path: 'customers', permission: 'customers.read', page: lazyPage(() => import('../features/customers/customer-list.page.js'), (m) => m.CustomerListPage) },
  { path: 'customers/:customerId', permission: 'customers.read', page: lazyPage(() => import('../features/customers/customer-360.page.js'), (m) => m.Customer360Page) },
  { path: 'my-customers', permission: 'customers.read', page: lazyPage(() => import('../features/ownership/my-customers.page.js'), (m) => m.MyCustomersPage) },
  { path: 'ownership', permission: 'ownership.manage', page: lazyPage(() => import('../features/ownership/assignment-workbench.page.js'), (m) => m.AssignmentWorkbenchPage) },
  { path: 'referrals', permission: 'customers.read', page: lazyPage(() => import('../features/ownership/referrals.page.js'), (m) => m.ReferralsPage) },
  { path: 'branch', permission: 'reports.branch', page: lazyPage(() => import('../features/tiering/branch-tiers.page.js'), (m) => m.BranchTiersPage) },
  { path: 'dashboards/branch', permission: 'reports.dashboards', page: lazyPage(() => import('../features/dashboards/branch-dashboard.page.js'), (m) => m.BranchDashboardPage) },
  { path: 'dashboards/branches', permission: 'reports.dashboards', page: lazyPage(() => import('../features/dashboards/branches-ranking.page.js'), (m) => m.BranchesRankingPage) },
  { path: 'policies', permission: 'policies.read', page: lazyPage(() => import('../features/tiering/policies.page.js'), (m) => m.PoliciesPage) },
  { path: 'entitlement-policies', permission: 'policies.read', page: lazyPage(() => import('../features/serving/entitlements-policy.page.js'), (m) => m.EntitlementsPolicyPage) },
  { path: 'audit', permission: 'audit.read', page: lazyPage(() => import('../features/audit/audit.page.js'), (m) => m.AuditPage) },
  { path: 'counter', permission: 'counter.search', page: lazyPage(() => import('../features/serving/counter.page.js'), (m) => m.CounterPage) },
  { path: 'my-day', permission: 'worklist.own', page: lazyPage(() => import('../features/worklist/my-day.page.js'), (m) => m.MyDayPage) },
  { path: 'plans', permission: 'worklist.review', page: lazyPage(() => import('../features/worklist/plans-review.page.js'), (m) => m.PlansReviewPage) },
  { path: 'work-log', permission: 'worklist.own', page: lazyPage(() => import('../features/worklist/work-log.page.js'), (m) => m.WorkLogPage) },
  { path: 'runs', permission: 'system.runs', page: lazyPage(() => import('../features/system/runs.page.js'), (m) => m.RunsPage) },
  { path: 'maturing', permission: 'worklist.own', page: lazyPage(() => import('../features/worklist/maturing.page.js'), (m) => m.MaturingPage) },
  { path: 'opportunities', permission: 'opportunities.own', page: lazyPage(() => import('../features/opportunities/my-opportunities.page.js'), (m) => m.MyOpportunitiesPage) },
  { path: 'opportunity-review', permission: 'opportunities.review', page: lazyPage(() => import('../features/opportunities/opportunity-review.page.js'), (m) => m.OpportunityReviewPage) },
  { path: 'prospects', permission: 'opportunities.own', page: lazyPage(() => import('../features/opportunities/prospects.page.js'), (m) => m.ProspectsPage) },
  { path: 'performance', permission: 'performance.read', page: lazyPage(() => import('../features/managing/performance.page.js'), (m) => m.PerformancePage) },
  { path: 'monthly-review', permission: 'review.manage', page: lazyPage(() => import('../features/review/monthly-review.page.js'), (m) => m.MonthlyReviewPage) },
  { path: 'groups', permission: 'groups.manage', page: lazyPage(() => import('../features/outreach/groups.page.js'), (m) => m.GroupsPage) },
  { path: 'templates', permission: 'templates.write', page: lazyPage(() => import('../features/outreach/templates.page.js'), (m) => m.TemplatesPage) },
  { path: 'greetings', permission: 'greetings.approve', page: lazyPage(() => import('../features/greetings/greetings.page.js'), (m) => m.GreetingsPage) },
  { path: 'campaigns', permission: 'campaigns.read', page: lazyPage(() => import('../features/outreach/campaigns.page.js'), (m) => m.CampaignsPage) },
  { path: 'gatherings', permission: 'gatherings.read', page: lazyPage(() => import('../features/gatherings/gatherings.page.js'), (m) => m.GatheringsPage) },
  { path: 'gatherings/:gatheringId', permission: 'gatherings.read', page: lazyPage(() => import('../features/gatherings/gathering.page.js'), (m) => m.GatheringPage) },
  { path: 'gatherings/:gatheringId/door', permission: 'gatherings.read', page: lazyPage(() => import('../features/gatherings/door.page.js'), (m) => m.DoorPage) },
  { path: 'my-coaching', permission: 'coaching.own', page: lazyPage(() => import('../features/review/my-coaching.page.js'), (m) => m.MyCoachingPage) },
  { path: 'complaints', permission: 'complaints.record', page: lazyPage(() => import('../features/serving/complaints.page.js'), (m) => m.ComplaintsPage) },
  { path: 'profile-outlet', permission: 'profile.collect', page: lazyPage(() => import('../features/profile/profile-outlet.page.js'), (m) => m.ProfileOutletPage) },
  { path: 'complaint-escalations', permission: 'complaints.escalated', page: lazyPage(() => import('../features/serving/complaints-escalated.page.js'), (m) => m.ComplaintsEscalatedPage) },
  { path: 'signings', permission: 'signings.request', page: lazyPage(() => import('../features/selling/signings.page.js'), (m) => m.SigningsPage) },
  { path: 'customers/:customerId/signings/:signingId/voucher', permission: 'customers.read', page: lazyPage(() => import('../features/selling/voucher.page.js'), (m) => m.VoucherPage) },
];

/** The code the first screen at `pathname` needs: the sign-in page, or the frame and the page. */
function firstScreen(pathname: string): (() => Promise<unknown>)[] {
  if (pathname === '/sign-in') return [SignInPage.preload];
  const page = pathname === '/' ? HomePage : (PAGES.find((p) => matchPath(`/${p.path}`, pathname))?.page ?? NotFoundPage);
  return [AntApp.preload, FrameLayout.preload, page.preload];
}

/** Pages inside the frame need someone signed in; otherwise to the sign-in page, keeping the address. */
function RequireUser({ children }: { children: ReactNode }) {
  const { user, signedOut } = useSession();
  const location = useLocation();
  const { t } = useTranslation();
  if (user === undefined) {
    return (
      <OutsideFrame>
        <div className="full-center">
          <Spin size="large" tip={t('app.loading')}>
            <div style={{ width: 120, height: 80 }} />
          </Spin>
        </div>
      </OutsideFrame>
    );
  }
  if (user === null) {
    const next = `${location.pathname}${location.search}`;
    const target = next === '/' || signedOut ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`;
    return <Navigate to={target} replace />;
  }
  return children;
}

function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useSession();
  return can(permission) ? children : <ForbiddenPage />;
}

function AppRoutes() {
  return (
    <Routes>
      <Route
        path="/sign-in"
        element={
          <OutsideFrame>
            <SignInPage />
          </OutsideFrame>
        }
      />
      <Route
        element={
          <RequireUser>
            <Suspense fallback={<PageLoading />}>
              <AntApp.Part>
                <FrameLayout />
              </AntApp.Part>
            </Suspense>
          </RequireUser>
        }
      >
        <Route index element={<HomePage />} />
        {PAGES.map(({ path, permission, page: Page }) => (
          <Route
            key={path}
            path={path}
            element={
              <RequirePermission permission={permission}>
                <Page />
              </RequirePermission>
            }
          />
        ))}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} theme={THEME}>
      <SessionProvider>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </SessionProvider>
    </ConfigProvider>
  );
}

const syncNetworkMessage = () => setNetworkMessage(i18next.t('errors.network'));

/** Sets up the languages and renders the app into `root` (main.tsx calls it once the code is here). */
export async function startApp(root: HTMLElement): Promise<void> {
  // the first screen's code (main.tsx started loading it; usually here already): waited for, so
  // that screen renders in one go; a part that failed to load is tried again when rendered
  await Promise.all([setupI18n(), ...firstScreen(window.location.pathname).map((preload) => preload().catch(() => undefined))]);
  syncNetworkMessage();
  i18next.on('languageChanged', syncNetworkMessage);
  keepFocusInDialogs();
  // rendered as a transition, so React renders the first screen in slices rather than one long task
  const reactRoot = createRoot(root);
  startTransition(() =>
    reactRoot.render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  );
}
