import { Card, Tabs } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { ownershipApi } from './ownership.api.js';
import { ClaimsTab } from './workbench.claims.js';
import { PoolTab } from './workbench.pool.js';
import { ProposalsTab } from './workbench.proposals.js';
import { ReallocationTab } from './workbench.reallocation.js';
import { PageTitle } from '../../app/page-title.js';

/** The branch head's assignment workbench (seed 003 客户分配): proposals, the pool, re-allocation, claims. */
export function AssignmentWorkbenchPage() {
  const { t } = useTranslation();
  const [version, setVersion] = useState(0);
  const staff = useApi(`ownership-staff/${version}`, (signal) => ownershipApi.staff(signal));
  const changed = () => setVersion((v) => v + 1);
  const items = staff.data?.items ?? [];
  return (
    <Card size="small" className="section-card" data-testid="assignment-workbench">
      <PageTitle>{t('ownership.workbench.title')}</PageTitle>
      <Tabs
        items={[
          { key: 'proposals', label: t('ownership.workbench.proposals'), children: <ProposalsTab staff={items} onChanged={changed} /> },
          { key: 'pool', label: t('ownership.workbench.pool'), children: <PoolTab staff={items} version={version} onChanged={changed} /> },
          { key: 'reallocation', label: t('ownership.workbench.reallocation'), children: <ReallocationTab version={version} onChanged={changed} /> },
          { key: 'claims', label: t('ownership.workbench.claims'), children: <ClaimsTab onChanged={changed} /> },
        ]}
      />
    </Card>
  );
}
