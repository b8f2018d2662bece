import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessGuard } from './features/access/access.guard.js';
import { accessRoutes } from './features/access/access.routes.js';
import { accessSettings, type AccessSettings } from './features/access/access.service.js';
import { exportRoutes } from './features/exports/exports.routes.js';
import { customerRoutes } from './features/customers/customers.routes.js';
import { piiRoutes } from './features/pii/pii.routes.js';
import { auditRoutes } from './features/audit/audit.routes.js';
import { ownershipRoutes } from './features/ownership/ownership.routes.js';
import { healthRoutes } from './features/system/health.routes.js';
import { systemRoutes } from './features/system/system.routes.js';
import { runsRoutes } from './features/system/runs.routes.js';
import { tieringRoutes } from './features/tiering/tiering.routes.js';
import { worklistRoutes } from './features/worklist/worklist.routes.js';
import { opportunityRoutes } from './features/opportunities/opportunities.routes.js';
import { sellingRoutes } from './features/selling/selling.routes.js';
import { performanceRoutes } from './features/managing/performance.routes.js';
import { dashboardRoutes } from './features/dashboards/dashboards.routes.js';
import { groupRoutes } from './features/outreach/groups.routes.js';
import { templateRoutes } from './features/outreach/templates.routes.js';
import { reviewRoutes } from './features/review/review.routes.js';
import { householdRoutes } from './features/households/households.routes.js';
import { smsRoutes } from './features/outreach/sms.routes.js';
import { greetingRoutes } from './features/greetings/greetings.routes.js';
import type { CampaignSendOptions } from './features/outreach/campaign.sends.js';
import { campaignRoutes } from './features/outreach/campaigns.routes.js';
import { gatheringRoutes } from './features/gatherings/gatherings.routes.js';
import { complaintRoutes } from './features/serving/complaints.routes.js';
import { counterRoutes } from './features/serving/counter.routes.js';
import { entitlementRoutes } from './features/serving/entitlements.routes.js';
import { profileRoutes } from './features/profile/profile.routes.js';
import type { Db } from './platform/db.js';
import { buildApp } from './platform/http.js';

/** Where `npm run build:web` puts the web app. */
export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');

export interface StratumAppOptions {
  db: Db;
  /** the built web app; default dist/web (tests of the API alone pass null) */
  webDir?: string | null;
  access?: Partial<AccessSettings>;
  signInRateLimit?: number;
  /** where export jobs keep their files (default: the data folder's exports/) */
  exportsDir?: string;
  /** the clock the campaigns' sender reads for the marketing hours (tests); default the real one */
  now?: () => Date;
  /** how the campaigns' sends run in the background (tests: a small batch, to stop between two) */
  campaignSends?: CampaignSendOptions;
}

/** The whole server: every feature's routes behind the access guard, and the web app. */
export async function buildStratumApp(o: StratumAppOptions) {
  const settings = accessSettings(o.access);
  const webDir = o.webDir === null ? undefined : (o.webDir ?? WEB_DIR);
  return buildApp({ db: o.db }, [systemRoutes, healthRoutes(), runsRoutes, accessRoutes(settings), customerRoutes, piiRoutes, auditRoutes, tieringRoutes, ownershipRoutes, worklistRoutes, opportunityRoutes, sellingRoutes, performanceRoutes, dashboardRoutes, reviewRoutes, groupRoutes, templateRoutes, smsRoutes, greetingRoutes, campaignRoutes({ ...(o.now ? { now: o.now } : {}), ...(o.campaignSends ? { sends: o.campaignSends } : {}) }), gatheringRoutes, entitlementRoutes, complaintRoutes, householdRoutes, counterRoutes, profileRoutes, exportRoutes(o.exportsDir ? { dir: o.exportsDir } : {})], {
    plugins: [accessGuard(settings)],
    ...(webDir ? { webDir } : {}),
    ...(o.signInRateLimit !== undefined ? { signInRateLimit: o.signInRateLimit } : {}),
  });
}
