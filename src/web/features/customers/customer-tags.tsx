import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Customer360Data } from './customers.api.js';

type CardGrade = Customer360Data['cards'][number]['grade'];
type RiskLevel = NonNullable<Customer360Data['profile']['riskLevel']>;

const GRADE_COLOR: Record<CardGrade, string> = { ordinary: 'default', gold: 'gold', platinum: 'geekblue', diamond: 'purple' };
const RISK_COLOR: Record<RiskLevel, string> = { C1: 'green', C2: 'cyan', C3: 'blue', C4: 'orange', C5: 'red' };

/** A card grade as a coloured tag: gold 金卡, platinum 白金卡, diamond 钻石卡; grey when cancelled. */
export function CardGradeTag({ grade, cancelled = false }: { grade: CardGrade; cancelled?: boolean }) {
  const { t } = useTranslation();
  return (
    <Tag color={cancelled ? 'default' : GRADE_COLOR[grade]} data-grade={grade} style={cancelled ? { opacity: 0.6 } : undefined}>
      {t(`cardGrade.${grade}`)}
    </Tag>
  );
}

export function RiskLevelTag({ level }: { level: RiskLevel }) {
  const { t } = useTranslation();
  return <Tag color={RISK_COLOR[level]}>{t('customer360.riskLevel', { level })}</Tag>;
}
