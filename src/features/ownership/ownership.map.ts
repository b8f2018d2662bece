import type { SqlSession } from '../../platform/db.js';
import { ROLE_SCOPE, type Role } from '../access/access.permissions.js';
import { builtInPolicies, policiesInEffect } from '../tiering/tiering.policies.js';
import type { PolicyDocument } from '../tiering/tiering.policy.js';

// The responsibility map (seed 000): which roles own each AUM band, read from the `owners` of
// the aum_band policy (the tiering feature's published policy, so a bank changes it there). The
// first role is the primary owner, the others co-own. A role that sees every customer anyway
// (the department, "assisting" for 300万+) gets no ownership rows.

export interface BandOwners {
  band: string;
  primaryRole: Role;
  coRoles: Role[];
}

export function ownersOf(doc: PolicyDocument | undefined): BandOwners[] {
  if (!doc || doc.kind !== 'bands') return [];
  return doc.tiers.flatMap((t) => {
    const roles = (t.owners ?? []).filter((r) => ROLE_SCOPE[r] !== 'all' && ROLE_SCOPE[r] !== 'none');
    const [primaryRole, ...coRoles] = roles;
    return primaryRole ? [{ band: t.id, primaryRole, coRoles }] : [];
  });
}

/** The map in effect on a business date (the shipped default before anything is published). */
export async function responsibilityMap(s: SqlSession, businessDate: string): Promise<BandOwners[]> {
  const inEffect = (await policiesInEffect(s, businessDate)).find((p) => p.model === 'aum_band')?.document;
  return ownersOf(inEffect ?? builtInPolicies().find((p) => p.model === 'aum_band'));
}

/** Every role that owns some band: whom a branch head may assign customers to. */
export const owningRoles = (map: readonly BandOwners[]): Role[] => [...new Set(map.flatMap((m) => [m.primaryRole, ...m.coRoles]))];
