import { Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatWan, formatYuan } from './money.js';

/** An amount in 万, with the exact yuan on hover. */
export function Wan({ yuan }: { yuan: string }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={t('customers.exactYuan', { amount: formatYuan(yuan) })}>
      <span className="money">{formatWan(yuan)}</span>
    </Tooltip>
  );
}

export function Yuan({ yuan }: { yuan: string }) {
  return <span className="money">{formatYuan(yuan)}</span>;
}
