import { Tag } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalLabel } from './tiering.api.js';

// How tiers look everywhere: the label in the current language and one colour per tier id.

/** A {zh, en} label in the language shown. */
export function useLocalText(): (label: LocalLabel | null | undefined) => string {
  const { i18n } = useTranslation();
  const english = i18n.language === 'en';
  return useCallback((label) => (label ? (english ? label.en : label.zh) : ''), [english]);
}

const TIER_COLOR: Record<string, string> = {
  // aum_band: cooler to warmer as assets grow
  below: 'default',
  band_1: 'default',
  band_2: 'cyan',
  band_3: 'blue',
  band_4: 'geekblue',
  band_5: 'purple',
  // relationship_tier
  vip: 'gold',
  potential: 'green',
  mass: 'default',
  // savings_grade
  risk: 'red',
  premium: 'gold',
  good: 'green',
  ordinary: 'default',
  // value_tier
  high_value: 'gold',
  valuable: 'blue',
  break_even: 'default',
  loss_making: 'orange',
};

export function tierColor(tier: string): string {
  return TIER_COLOR[tier] ?? 'blue';
}

/** Labels the web app knows itself, for the list columns and filters (the list sends ids only). */
export const LIST_TIERS = {
  aum_band: ['below', 'band_1', 'band_2', 'band_3', 'band_4', 'band_5'],
  relationship_tier: ['vip', 'potential', 'mass'],
} as const;
export type ListModel = keyof typeof LIST_TIERS;
export type AumBand = (typeof LIST_TIERS.aum_band)[number];
export type RelationshipTier = (typeof LIST_TIERS.relationship_tier)[number];

export function isListTier<M extends ListModel>(model: M, tier: string | null | undefined): tier is (typeof LIST_TIERS)[M][number] {
  return tier !== null && tier !== undefined && (LIST_TIERS[model] as readonly string[]).includes(tier);
}

/** A tier of a list model as a tag with the locale's label; an unknown id is shown as is. */
export function ListTierTag({ model, tier }: { model: ListModel; tier: string | null }) {
  const { t } = useTranslation();
  if (tier === null) return null;
  const label = model === 'aum_band' ? (isListTier('aum_band', tier) ? t(`tiers.aum_band.${tier}`) : tier) : isListTier('relationship_tier', tier) ? t(`tiers.relationship_tier.${tier}`) : tier;
  return (
    <Tag color={tierColor(tier)} data-tier={tier} style={{ marginInlineEnd: 0 }}>
      {label}
    </Tag>
  );
}
