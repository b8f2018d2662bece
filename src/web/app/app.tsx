import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import type { Permission } from '../../features/access/access.permissions.js';
import { AuditPage } from '../features/audit/audit.page.js';
import { Customer360Page } from '../features/customers/customer-360.page.js';
import { CustomerListPage } from '../features/customers/customer-list.page.js';
import { AssignmentWorkbenchPage } from '../features/ownership/assignment-workbench.page.js';
import { MyCustomersPage } from '../features/ownership/my-customers.page.js';
import { ReferralsPage } from '../features/ownership/referrals.page.js';
import { BranchTiersPage } from '../features/tiering/branch-tiers.page.js';
import { PoliciesPage } from '../features/tiering/policies.page.js';
import { MaturingPage } from '../features/worklist/maturing.page.js';
import { MyDayPage } from '../features/worklist/my-day.page.js';
import { PlansReviewPage } from '../features/worklist/plans-review.page.js';
import { WorkLogPage } from '../features/worklist/work-log.page.js';
import { FrameLayout } from './frame.layout.js';
import { HomePage } from './home.page.js';
import { SessionProvider, useSession } from './session.js';
import { SignInPage } from './sign-in.page.js';
import { THEME } from './theme.js';
import { ForbiddenPage, NotFoundPage } from './status.pages.js';


/** Pages inside the frame need someone signed in; otherwise to the sign-in page, keeping the address. */
function RequireUser({ children }: { children: ReactNode }) {
  const { user, signedOut } = useSession();
  const location = useLocation();
  const { t } = useTranslation();
  if (user === undefined) {
    return (
      <div className="full-center">
        <Spin size="large" tip={t('app.loading')}>
          <div style={{ width: 120, height: 80 }} />
        </Spin>
      </div>
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
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        element={
          <RequireUser>
            <FrameLayout />
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
      <AntApp>
        <SessionProvider>
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}
