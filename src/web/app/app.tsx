import { ConfigProvider, Spin, theme } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import i18next from 'i18next';
import { lazy, startTransition, StrictMode, Suspense, type ComponentType, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import type { Permission } from '../../features/access/access.permissions.js';
import { setNetworkMessage } from './api.js';
import { setupI18n } from './i18n.js';
import { SessionProvider, useSession } from './session.js';
import { THEME } from './theme.js';

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
 * A page whose code is loaded when it is first shown (each page its own chunk, so the sign-in page
 * loads only what it needs); the spinner shows meanwhile, inside the frame.
 */
function lazyPage<M>(load: () => Promise<M>, pick: (m: M) => ComponentType) {
  const Page = lazy(() => load().then((m) => ({ default: pick(m) })));
  return function LazyPage() {
    return (
      <Suspense fallback={<PageLoading />}>
        <Page />
      </Suspense>
    );
  };
}

/**
 * antd's App (the context of message, notification and modal, which only the signed-in pages use),
 * loaded with the frame rather than with the sign-in page.
 */
const AntApp = lazy(() => import('antd/es/app'));

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
const AuditPage = lazyPage(() => import('../features/audit/audit.page.js'), (m) => m.AuditPage);
const Customer360Page = lazyPage(() => import('../features/customers/customer-360.page.js'), (m) => m.Customer360Page);
const CustomerListPage = lazyPage(() => import('../features/customers/customer-list.page.js'), (m) => m.CustomerListPage);
const AssignmentWorkbenchPage = lazyPage(() => import('../features/ownership/assignment-workbench.page.js'), (m) => m.AssignmentWorkbenchPage);
const MyCustomersPage = lazyPage(() => import('../features/ownership/my-customers.page.js'), (m) => m.MyCustomersPage);
const ReferralsPage = lazyPage(() => import('../features/ownership/referrals.page.js'), (m) => m.ReferralsPage);
const BranchTiersPage = lazyPage(() => import('../features/tiering/branch-tiers.page.js'), (m) => m.BranchTiersPage);
const PoliciesPage = lazyPage(() => import('../features/tiering/policies.page.js'), (m) => m.PoliciesPage);
const MaturingPage = lazyPage(() => import('../features/worklist/maturing.page.js'), (m) => m.MaturingPage);
const MyDayPage = lazyPage(() => import('../features/worklist/my-day.page.js'), (m) => m.MyDayPage);
const PlansReviewPage = lazyPage(() => import('../features/worklist/plans-review.page.js'), (m) => m.PlansReviewPage);
const WorkLogPage = lazyPage(() => import('../features/worklist/work-log.page.js'), (m) => m.WorkLogPage);

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
              <AntApp>
                <FrameLayout />
              </AntApp>
            </Suspense>
          </RequireUser>
        }
      >
        <Route index element={<HomePage />} />
        <Route
          path="customers"
          element={
            <RequirePermission permission="customers.read">
              <CustomerListPage />
            </RequirePermission>
          }
        />
        <Route
          path="customers/:customerId"
          element={
            <RequirePermission permission="customers.read">
              <Customer360Page />
            </RequirePermission>
          }
        />
        <Route
          path="my-customers"
          element={
            <RequirePermission permission="customers.read">
              <MyCustomersPage />
            </RequirePermission>
          }
        />
        <Route
          path="ownership"
          element={
            <RequirePermission permission="ownership.manage">
              <AssignmentWorkbenchPage />
            </RequirePermission>
          }
        />
        <Route
          path="referrals"
          element={
            <RequirePermission permission="customers.read">
              <ReferralsPage />
            </RequirePermission>
          }
        />
        <Route
          path="branch"
          element={
            <RequirePermission permission="reports.branch">
              <BranchTiersPage />
            </RequirePermission>
          }
        />
        <Route
          path="policies"
          element={
            <RequirePermission permission="policies.read">
              <PoliciesPage />
            </RequirePermission>
          }
        />
        <Route
          path="audit"
          element={
            <RequirePermission permission="audit.read">
              <AuditPage />
            </RequirePermission>
          }
        />
        <Route
          path="my-day"
          element={
            <RequirePermission permission="worklist.own">
              <MyDayPage />
            </RequirePermission>
          }
        />
        <Route
          path="plans"
          element={
            <RequirePermission permission="worklist.review">
              <PlansReviewPage />
            </RequirePermission>
          }
        />
        <Route
          path="work-log"
          element={
            <RequirePermission permission="worklist.own">
              <WorkLogPage />
            </RequirePermission>
          }
        />
        <Route
          path="maturing"
          element={
            <RequirePermission permission="worklist.own">
              <MaturingPage />
            </RequirePermission>
          }
        />
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
  await setupI18n();
  syncNetworkMessage();
  i18next.on('languageChanged', syncNetworkMessage);
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
